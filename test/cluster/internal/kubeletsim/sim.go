// Package kubeletsim is a kubelet stand-in for test clusters: it registers
// one Node, plays the lifecycle of the pods the scheduler binds to it as
// scripted by pod annotations (see script.go and test/cluster/README.md),
// finalises terminating pods at once, and serves scripted container logs.
// No containers run.
package kubeletsim

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

type config struct {
	kubeconfig   string
	nodeName     string
	address      string
	port         int
	certFile     string
	keyFile      string
	clientCAFile string
	workers      int
}

// Main implements `k8s-sim kubelet-sim [flags]`.
func Main(args []string) int {
	fs := flag.NewFlagSet("kubelet-sim", flag.ContinueOnError)
	var cfg config
	fs.StringVar(&cfg.kubeconfig, "kubeconfig", "", "kubeconfig with rights over nodes, leases and pods")
	fs.StringVar(&cfg.nodeName, "node-name", "sim-node-0", "name of the Node to register")
	fs.StringVar(&cfg.address, "address", "127.0.0.1", "address of the kubelet API (container logs)")
	fs.IntVar(&cfg.port, "port", 10250, "port of the kubelet API; also published in the Node status")
	fs.StringVar(&cfg.certFile, "tls-cert-file", "", "serving certificate of the kubelet API")
	fs.StringVar(&cfg.keyFile, "tls-private-key-file", "", "key of the serving certificate")
	fs.StringVar(&cfg.clientCAFile, "client-ca-file", "", "CA that signs the API server's kubelet client cert")
	fs.IntVar(&cfg.workers, "workers", 8, "pods synced in parallel")
	klog.InitFlags(fs) // -v etc.
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		klog.ErrorS(err, "kubelet-sim failed")
		return 1
	}
	return 0
}

func run(ctx context.Context, cfg config) error {
	restConfig, err := clientcmd.BuildConfigFromFlags("", cfg.kubeconfig)
	if err != nil {
		return err
	}
	// client-go's default 5 QPS would make pod start-up latency grow with
	// the number of pods; this is a local test cluster.
	restConfig.QPS, restConfig.Burst = 500, 1000
	restConfig.UserAgent = "kubelet-sim/" + cfg.nodeName
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return err
	}

	// Listen before registering, so the port in the Node status is live.
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.address, strconv.Itoa(cfg.port)))
	if err != nil {
		return err
	}
	node := &nodeAgent{client: client, name: cfg.nodeName, port: int32(cfg.port)}
	if err := node.register(ctx); err != nil {
		return fmt.Errorf("register node %s: %w", cfg.nodeName, err)
	}

	factory := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", cfg.nodeName).String()
		}))
	podInformer := factory.Core().V1().Pods()
	pods, err := newPodController(client, podInformer)
	if err != nil {
		return err
	}
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	if !cache.WaitForCacheSync(ctx.Done(), podInformer.Informer().HasSynced) {
		return ctx.Err()
	}

	logs := &logServer{pods: podInformer.Lister()}
	errc := make(chan error, 1)
	go func() { errc <- logs.serveTLS(ctx, ln, cfg.certFile, cfg.keyFile, cfg.clientCAFile) }()
	go node.heartbeat(ctx)
	klog.InfoS("kubelet-sim ready", "node", cfg.nodeName, "kubeletAPI", ln.Addr().String())

	go pods.run(ctx, cfg.workers)
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return fmt.Errorf("kubelet API: %w", err)
	}
}
