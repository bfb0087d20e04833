package kubeletsim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	corelisters "k8s.io/client-go/listers/core/v1"
)

// followPoll is how often a followed log checks whether its container is
// still running; only `kubectl logs -f` on a running container waits on it.
const followPoll = 200 * time.Millisecond

// logServer is the slice of the kubelet API that `kubectl logs` reaches
// through the API server: GET /containerLogs/{namespace}/{pod}/{container}.
type logServer struct {
	pods corelisters.PodLister
}

// serveTLS listens on addr until ctx ends, accepting only clients with a
// certificate signed by clientCA (the API server's kubelet client cert).
func (l *logServer) serveTLS(ctx context.Context, ln net.Listener, certFile, keyFile, clientCAFile string) error {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return err
	}
	caPEM, err := os.ReadFile(clientCAFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return fmt.Errorf("no certificates in %s", clientCAFile)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", l.containerLogs)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientCAs:    pool,
			ClientAuth:   tls.RequireAndVerifyClientCert,
			MinVersion:   tls.VersionTLS12,
		},
	}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	err = srv.ServeTLS(ln, "", "")
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func (l *logServer) containerLogs(w http.ResponseWriter, req *http.Request) {
	ns, name, container := req.PathValue("namespace"), req.PathValue("pod"), req.PathValue("container")
	pod, err := l.pods.Pods(ns).Get(name)
	if apierrors.IsNotFound(err) {
		http.Error(w, fmt.Sprintf("pod %s/%s not found", ns, name), http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	status, ok := containerStatus(pod, container)
	if !ok {
		http.Error(w, fmt.Sprintf("container %s is not valid for pod %s", container, name), http.StatusNotFound)
		return
	}
	q := req.URL.Query()
	if msg := unavailable(status, q.Get("previous") == "true"); msg != "" {
		http.Error(w, fmt.Sprintf("container %q in pod %q %s", container, name, msg), http.StatusBadRequest)
		return
	}
	text, err := renderLog(pod.Annotations[AnnotationLog], status, q)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(text))
	if q.Get("follow") == "true" && q.Get("previous") != "true" {
		l.waitUntilStopped(req.Context(), w, ns, name, container)
	}
}

// unavailable explains why there is no log to show, like the kubelet does.
func unavailable(cs corev1.ContainerStatus, previous bool) string {
	switch {
	case previous && cs.LastTerminationState.Terminated == nil:
		return "has no previous terminated container"
	case !previous && cs.State.Running == nil && cs.State.Terminated == nil && cs.LastTerminationState.Terminated == nil:
		return "is waiting to start: ContainerCreating"
	}
	return ""
}

// renderLog shapes the scripted text by the query options the API server
// passes on: timestamps, tailLines and limitBytes.
func renderLog(text string, cs corev1.ContainerStatus, q url.Values) (string, error) {
	if text == "" {
		return "", nil
	}
	lines := strings.SplitAfter(strings.TrimSuffix(text, "\n")+"\n", "\n")
	lines = lines[:len(lines)-1] // SplitAfter leaves an empty tail after the last newline
	if v := q.Get("tailLines"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return "", fmt.Errorf("invalid tailLines %q", v)
		}
		lines = lines[max(0, len(lines)-n):]
	}
	if q.Get("timestamps") == "true" {
		ts := startedAt(cs).UTC().Format(time.RFC3339Nano)
		for i := range lines {
			lines[i] = ts + " " + lines[i]
		}
	}
	out := strings.Join(lines, "")
	if v := q.Get("limitBytes"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return "", fmt.Errorf("invalid limitBytes %q", v)
		}
		out = out[:min(n, len(out))]
	}
	return out, nil
}

// waitUntilStopped keeps a followed log open while the container runs, so
// `kubectl logs -f` ends when the container does.
func (l *logServer) waitUntilStopped(ctx context.Context, w http.ResponseWriter, ns, name, container string) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	tick := time.NewTicker(followPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			pod, err := l.pods.Pods(ns).Get(name)
			if err != nil || pod.DeletionTimestamp != nil {
				return
			}
			if cs, ok := containerStatus(pod, container); !ok || cs.State.Running == nil {
				return
			}
		}
	}
}

func containerStatus(pod *corev1.Pod, name string) (corev1.ContainerStatus, bool) {
	for _, list := range [][]corev1.ContainerStatus{pod.Status.ContainerStatuses, pod.Status.InitContainerStatuses} {
		for _, cs := range list {
			if cs.Name == name {
				return cs, true
			}
		}
	}
	for _, c := range append(pod.Spec.Containers, pod.Spec.InitContainers...) {
		if c.Name == name {
			return corev1.ContainerStatus{Name: name}, true // declared, not started yet
		}
	}
	return corev1.ContainerStatus{}, false
}

func startedAt(cs corev1.ContainerStatus) time.Time {
	switch {
	case cs.State.Running != nil:
		return cs.State.Running.StartedAt.Time
	case cs.State.Terminated != nil:
		return cs.State.Terminated.StartedAt.Time
	case cs.LastTerminationState.Terminated != nil:
		return cs.LastTerminationState.Terminated.StartedAt.Time
	}
	return time.Time{}
}
