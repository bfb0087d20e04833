package kubeletsim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const hostIP = "127.0.0.1"

// podStatus returns the status a kubelet would report for pod given its
// simulated run, starting from the current status so that fields other
// writers own (qosClass, PodScheduled, DisruptionTarget...) survive.
func podStatus(pod *corev1.Pod, r *podRun, s script, now time.Time) corev1.PodStatus {
	st := *pod.Status.DeepCopy()
	st.ObservedGeneration = pod.Generation
	st.HostIP, st.HostIPs = hostIP, []corev1.HostIP{{IP: hostIP}}
	ip := r.ip
	if pod.Spec.HostNetwork {
		ip = hostIP
	}
	st.PodIP, st.PodIPs = ip, []corev1.PodIP{{IP: ip}}
	st.StartTime = stamp(r.podStart)
	st.Phase = phase(r)
	st.Reason, st.Message = "", ""
	st.InitContainerStatuses = initContainerStatuses(pod, r)
	st.ContainerStatuses = containerStatuses(pod, r, s)

	containersReady := r.ready(s)
	ready := containersReady && readinessGatesPass(pod)
	notReady := "ContainersNotReady"
	if r.stage == stageSucceeded {
		notReady = "PodCompleted"
	}
	setCondition(&st, pod, corev1.PodReadyToStartContainers, true, "", now)
	setCondition(&st, pod, corev1.PodInitialized, true, "", now)
	setCondition(&st, pod, corev1.ContainersReady, containersReady, notReady, now)
	if containersReady && !ready {
		notReady = "ReadinessGatesNotReady"
	}
	setCondition(&st, pod, corev1.PodReady, ready, notReady, now)
	return st
}

func phase(r *podRun) corev1.PodPhase {
	switch r.stage {
	case stageSucceeded:
		return corev1.PodSucceeded
	case stageFailed:
		return corev1.PodFailed
	default:
		return corev1.PodRunning
	}
}

// initContainerStatuses reports init containers as completed at pod start;
// sidecars (init containers with restartPolicy Always) as running and ready.
func initContainerStatuses(pod *corev1.Pod, r *podRun) []corev1.ContainerStatus {
	var out []corev1.ContainerStatus
	for _, c := range pod.Spec.InitContainers {
		cs := baseStatus(pod, c, 0)
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways && !r.terminal() {
			cs.State.Running = &corev1.ContainerStateRunning{StartedAt: *stamp(r.podStart)}
			cs.Ready, cs.Started = true, ptrTo(true)
		} else {
			cs.State.Terminated = terminated(cs.ContainerID, termination{r.podStart, r.podStart, 0})
			cs.Ready, cs.Started = true, ptrTo(false)
		}
		out = append(out, cs)
	}
	return out
}

// containerStatuses gives every app container the same scripted life.
func containerStatuses(pod *corev1.Pod, r *podRun, s script) []corev1.ContainerStatus {
	out := make([]corev1.ContainerStatus, 0, len(pod.Spec.Containers))
	for _, c := range pod.Spec.Containers {
		cs := baseStatus(pod, c, r.restarts)
		if r.restarts > 0 && r.last != nil {
			cs.LastTerminationState.Terminated = terminated(containerID(pod, c.Name, r.restarts-1), *r.last)
		}
		switch r.stage {
		case stageRunning:
			cs.State.Running = &corev1.ContainerStateRunning{StartedAt: *stamp(r.started)}
			cs.Ready, cs.Started = r.ready(s), ptrTo(true)
		case stageBackOff:
			cs.ContainerID = ""
			cs.LastTerminationState.Terminated = terminated(containerID(pod, c.Name, r.restarts), *r.last)
			cs.State.Waiting = &corev1.ContainerStateWaiting{
				Reason: "CrashLoopBackOff",
				Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)",
					backOffDelay(r.restarts), c.Name, pod.Name, pod.Namespace, pod.UID),
			}
			cs.Started = ptrTo(false)
		default: // terminal
			cs.State.Terminated = terminated(cs.ContainerID, *r.last)
			cs.Started = ptrTo(false)
		}
		out = append(out, cs)
	}
	return out
}

func baseStatus(pod *corev1.Pod, c corev1.Container, restarts int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name:         c.Name,
		Image:        c.Image,
		ImageID:      imageID(c.Image),
		ContainerID:  containerID(pod, c.Name, restarts),
		RestartCount: restarts,
	}
}

func terminated(id string, t termination) *corev1.ContainerStateTerminated {
	reason := "Completed"
	if t.exitCode != 0 {
		reason = "Error"
	}
	return &corev1.ContainerStateTerminated{
		ExitCode:    t.exitCode,
		Reason:      reason,
		StartedAt:   *stamp(t.started),
		FinishedAt:  *stamp(t.finished),
		ContainerID: id,
	}
}

// setCondition sets one of the kubelet's conditions, keeping the transition
// time while the status is unchanged.
func setCondition(st *corev1.PodStatus, pod *corev1.Pod, t corev1.PodConditionType, ok bool, reason string,
	now time.Time) {
	cond := corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, ObservedGeneration: pod.Generation}
	if !ok {
		cond.Status, cond.Reason = corev1.ConditionFalse, reason
	}
	for i := range st.Conditions {
		old := &st.Conditions[i]
		if old.Type != t {
			continue
		}
		cond.LastTransitionTime = old.LastTransitionTime
		if old.Status != cond.Status {
			cond.LastTransitionTime = *stamp(now)
		}
		*old = cond
		return
	}
	cond.LastTransitionTime = *stamp(now)
	st.Conditions = append(st.Conditions, cond)
}

func readinessGatesPass(pod *corev1.Pod) bool {
	for _, gate := range pod.Spec.ReadinessGates {
		passed := false
		for _, c := range pod.Status.Conditions {
			passed = passed || (c.Type == gate.ConditionType && c.Status == corev1.ConditionTrue)
		}
		if !passed {
			return false
		}
	}
	return true
}

// containerID is stable per pod, container and restart, so rewriting the
// status does not churn it.
func containerID(pod *corev1.Pod, name string, restarts int32) string {
	return "sim://" + digest(fmt.Sprintf("%s/%s/%d", pod.UID, name, restarts))[:32]
}

func imageID(image string) string {
	ref := image
	if i := strings.LastIndex(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	return ref + "@sha256:" + digest(image)
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// stamp truncates to the second, the API's precision, so a status built
// twice from the same run compares equal to the one stored.
func stamp(t time.Time) *metav1.Time {
	mt := metav1.NewTime(t.Truncate(time.Second))
	return &mt
}

func ptrTo[T any](v T) *T { return &v }
