package kubeletsim

import (
	"fmt"
	"math"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Pod annotations that script what the simulated containers do.
const (
	AnnotationExitCode   = "sim.wavesync.dev/exit-code"   // int; default 0
	AnnotationRunSeconds = "sim.wavesync.dev/run-seconds" // float; default 1
	AnnotationLog        = "sim.wavesync.dev/log"         // text every container "printed"
	AnnotationNeverReady = "sim.wavesync.dev/never-ready" // "true": running but never Ready
)

const defaultRunTime = time.Second

// script is what every container of one pod does, read from its annotations.
type script struct {
	exitCode   int32
	runTime    time.Duration
	log        string
	neverReady bool
}

// scriptFor reads a pod's annotations. A malformed value falls back to the
// default and is returned as an error, so the caller can log it.
func scriptFor(pod *corev1.Pod) (script, error) {
	a := pod.Annotations
	s := script{runTime: defaultRunTime, log: a[AnnotationLog], neverReady: a[AnnotationNeverReady] == "true"}
	var errs []error
	if v, ok := a[AnnotationExitCode]; ok {
		if code, err := strconv.ParseInt(v, 10, 32); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want an integer", AnnotationExitCode, v))
		} else {
			s.exitCode = int32(code)
		}
	}
	if v, ok := a[AnnotationRunSeconds]; ok {
		sec, err := strconv.ParseFloat(v, 64)
		if err != nil || sec < 0 || math.IsInf(sec, 0) || math.IsNaN(sec) {
			errs = append(errs, fmt.Errorf("%s=%q: want a number of seconds >= 0", AnnotationRunSeconds, v))
		} else {
			s.runTime = time.Duration(sec * float64(time.Second))
		}
	}
	if len(errs) > 0 {
		return s, fmt.Errorf("pod %s/%s: %v", pod.Namespace, pod.Name, errs)
	}
	return s, nil
}

// exits reports whether the containers ever stop: containers of Job-like
// pods (restartPolicy Never/OnFailure) exit after runTime; long-running
// (Always) ones exit only when scripted to fail, and then crash-loop.
func (s script) exits(policy corev1.RestartPolicy) bool {
	return policy != corev1.RestartPolicyAlways || s.exitCode != 0
}
