package kubeletsim

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// stage is where a simulated pod's containers are in their life.
type stage int

const (
	stageRunning   stage = iota // current container instance is running
	stageBackOff                // it exited with an error and waits to be restarted
	stageSucceeded              // terminal: exited 0
	stageFailed                 // terminal: exited non-zero, restartPolicy Never
)

// Crash-loop back-off: the first restart is immediate, like the kubelet's;
// later ones wait backOffBase doubling up to backOffMax. (The kubelet uses
// 10 s to 5 min, too slow for tests.)
const (
	backOffBase = 500 * time.Millisecond
	backOffMax  = 8 * time.Second
)

// termination records how one container instance ended.
type termination struct {
	started, finished time.Time
	exitCode          int32
}

// podRun is the simulated runtime state of one pod. It lives in memory (the
// API keeps timestamps only to the second) and is rebuilt from the pod's
// status if the simulator restarts.
type podRun struct {
	uid      string
	ip       string
	podStart time.Time
	stage    stage
	started  time.Time    // start of the current container instance
	restarts int32        // container restarts so far
	last     *termination // most recent exit, if any
	backOff  time.Time    // end of the current back-off (stageBackOff)
}

func newPodRun(uid, ip string, now time.Time) *podRun {
	return &podRun{uid: uid, ip: ip, podStart: now, started: now}
}

// advance moves the run forward to now under the pod's script and restart
// policy, and returns when the next transition is due (zero if none is).
func (r *podRun) advance(s script, policy corev1.RestartPolicy, now time.Time) time.Time {
	for {
		switch r.stage {
		case stageRunning:
			if !s.exits(policy) {
				return time.Time{}
			}
			end := r.started.Add(s.runTime)
			if now.Before(end) {
				return end
			}
			r.exit(s.exitCode, policy, end)
		case stageBackOff:
			if now.Before(r.backOff) {
				return r.backOff
			}
			r.restarts++
			r.started = r.backOff
			r.stage = stageRunning
		default:
			return time.Time{}
		}
	}
}

// exit ends the current container instance at the given time.
func (r *podRun) exit(code int32, policy corev1.RestartPolicy, at time.Time) {
	r.last = &termination{started: r.started, finished: at, exitCode: code}
	switch {
	case code == 0 && policy != corev1.RestartPolicyAlways:
		r.stage = stageSucceeded
	case code != 0 && policy == corev1.RestartPolicyNever:
		r.stage = stageFailed
	default:
		r.stage = stageBackOff
		r.backOff = at.Add(backOffDelay(r.restarts))
	}
}

// backOffDelay is the wait before restart number restarts+1.
func backOffDelay(restarts int32) time.Duration {
	if restarts == 0 {
		return 0
	}
	d := backOffBase
	for i := int32(1); i < restarts && d < backOffMax; i++ {
		d *= 2
	}
	return min(d, backOffMax)
}

func (r *podRun) terminal() bool {
	return r.stage == stageSucceeded || r.stage == stageFailed
}

// ready reports whether the containers count as ready right now.
func (r *podRun) ready(s script) bool {
	return r.stage == stageRunning && !s.neverReady
}

// recoverRun rebuilds a run from a pod status this simulator wrote before it
// restarted; it returns nil if the pod was never started.
func recoverRun(pod *corev1.Pod) *podRun {
	st := pod.Status
	if st.StartTime == nil || st.Phase != corev1.PodRunning {
		return nil
	}
	r := newPodRun(string(pod.UID), st.PodIP, st.StartTime.Time)
	if len(st.ContainerStatuses) > 0 {
		cs := st.ContainerStatuses[0]
		r.restarts = cs.RestartCount
		if cs.State.Running != nil {
			r.started = cs.State.Running.StartedAt.Time
		}
	}
	return r
}
