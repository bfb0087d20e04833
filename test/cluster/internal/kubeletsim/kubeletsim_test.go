package kubeletsim

import (
	"net/url"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func testPod(policy corev1.RestartPolicy, annotations map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "uid-1", Annotations: annotations},
		Spec: corev1.PodSpec{
			RestartPolicy:  policy,
			InitContainers: []corev1.Container{{Name: "init", Image: "busybox"}},
			Containers:     []corev1.Container{{Name: "main", Image: "busybox:1.36"}},
		},
	}
}

// simulate advances a fresh run to t0+at and returns the resulting status.
func simulate(t *testing.T, pod *corev1.Pod, at time.Duration) corev1.PodStatus {
	t.Helper()
	s, err := scriptFor(pod)
	if err != nil {
		t.Fatal(err)
	}
	r := newPodRun(string(pod.UID), "10.244.0.2", t0)
	for now := t0; !now.After(t0.Add(at)); now = now.Add(50 * time.Millisecond) {
		r.advance(s, pod.Spec.RestartPolicy, now)
	}
	return podStatus(pod, r, s, t0.Add(at))
}

func condition(st corev1.PodStatus, t corev1.PodConditionType) corev1.ConditionStatus {
	for _, c := range st.Conditions {
		if c.Type == t {
			return c.Status
		}
	}
	return ""
}

func TestLifecycle(t *testing.T) {
	tests := []struct {
		name        string
		policy      corev1.RestartPolicy
		annotations map[string]string
		at          time.Duration
		phase       corev1.PodPhase
		ready       corev1.ConditionStatus
		exitCode    *int32 // terminated state's exit code, if terminated
		waiting     string
		restarts    int32
	}{
		{name: "job pod runs", policy: corev1.RestartPolicyNever, at: 900 * time.Millisecond,
			phase: corev1.PodRunning, ready: corev1.ConditionTrue},
		{name: "job pod completes after 1s", policy: corev1.RestartPolicyNever, at: time.Second,
			phase: corev1.PodSucceeded, ready: corev1.ConditionFalse, exitCode: ptrTo[int32](0)},
		{name: "fractional run time", policy: corev1.RestartPolicyOnFailure, at: 200 * time.Millisecond,
			annotations: map[string]string{AnnotationRunSeconds: "0.2"},
			phase:       corev1.PodSucceeded, ready: corev1.ConditionFalse, exitCode: ptrTo[int32](0)},
		{name: "exit code with Never fails the pod", policy: corev1.RestartPolicyNever, at: 2 * time.Second,
			annotations: map[string]string{AnnotationExitCode: "3"},
			phase:       corev1.PodFailed, ready: corev1.ConditionFalse, exitCode: ptrTo[int32](3)},
		{name: "OnFailure restarts at once the first time", policy: corev1.RestartPolicyOnFailure,
			at: 1500 * time.Millisecond, annotations: map[string]string{AnnotationExitCode: "2"},
			phase: corev1.PodRunning, ready: corev1.ConditionTrue, restarts: 1},
		{name: "OnFailure then backs off", policy: corev1.RestartPolicyOnFailure,
			at: 2200 * time.Millisecond, annotations: map[string]string{AnnotationExitCode: "2"},
			phase: corev1.PodRunning, ready: corev1.ConditionFalse, waiting: "CrashLoopBackOff", restarts: 1},
		{name: "OnFailure restarts after back-off", policy: corev1.RestartPolicyOnFailure,
			at: 2600 * time.Millisecond, annotations: map[string]string{AnnotationExitCode: "2"},
			phase: corev1.PodRunning, ready: corev1.ConditionTrue, restarts: 2},
		{name: "Always keeps running", policy: corev1.RestartPolicyAlways, at: time.Hour,
			phase: corev1.PodRunning, ready: corev1.ConditionTrue},
		{name: "never-ready", policy: corev1.RestartPolicyAlways, at: time.Minute,
			annotations: map[string]string{AnnotationNeverReady: "true"},
			phase:       corev1.PodRunning, ready: corev1.ConditionFalse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := simulate(t, testPod(tt.policy, tt.annotations), tt.at)
			if st.Phase != tt.phase {
				t.Errorf("phase = %s, want %s", st.Phase, tt.phase)
			}
			if got := condition(st, corev1.PodReady); got != tt.ready {
				t.Errorf("Ready = %s, want %s", got, tt.ready)
			}
			cs := st.ContainerStatuses[0]
			if cs.RestartCount != tt.restarts {
				t.Errorf("restartCount = %d, want %d", cs.RestartCount, tt.restarts)
			}
			if tt.restarts > 0 && cs.LastTerminationState.Terminated == nil {
				t.Errorf("restarted container has no lastState.terminated")
			}
			switch {
			case tt.exitCode != nil:
				if cs.State.Terminated == nil || cs.State.Terminated.ExitCode != *tt.exitCode {
					t.Errorf("state = %+v, want terminated with exit code %d", cs.State, *tt.exitCode)
				}
			case tt.waiting != "":
				if cs.State.Waiting == nil || cs.State.Waiting.Reason != tt.waiting {
					t.Errorf("state = %+v, want waiting %s", cs.State, tt.waiting)
				}
			case cs.State.Running == nil:
				t.Errorf("state = %+v, want running", cs.State)
			}
			if init := st.InitContainerStatuses[0]; init.State.Terminated == nil || init.State.Terminated.Reason != "Completed" {
				t.Errorf("init container state = %+v, want completed", init.State)
			}
		})
	}
}

func TestFailedContainerReason(t *testing.T) {
	st := simulate(t, testPod(corev1.RestartPolicyNever, map[string]string{AnnotationExitCode: "3"}), 2*time.Second)
	if got := st.ContainerStatuses[0].State.Terminated.Reason; got != "Error" {
		t.Errorf("reason = %q, want Error", got)
	}
	st = simulate(t, testPod(corev1.RestartPolicyNever, nil), 2*time.Second)
	if got := st.ContainerStatuses[0].State.Terminated.Reason; got != "Completed" {
		t.Errorf("reason = %q, want Completed", got)
	}
}

// A status rebuilt later from an unchanged run must equal the stored one,
// or the simulator would rewrite it forever.
func TestStatusIsStable(t *testing.T) {
	pod := testPod(corev1.RestartPolicyAlways, nil)
	pod.Status = simulate(t, pod, time.Second)
	r := newPodRun(string(pod.UID), "10.244.0.2", t0)
	again := podStatus(pod, r, script{runTime: time.Second}, t0.Add(time.Minute))
	if !equality.Semantic.DeepEqual(pod.Status, again) {
		t.Errorf("status changed without a transition:\n%+v\n%+v", pod.Status, again)
	}
}

func TestBadAnnotationsFallBack(t *testing.T) {
	s, err := scriptFor(testPod(corev1.RestartPolicyNever,
		map[string]string{AnnotationExitCode: "99999999999", AnnotationRunSeconds: "-1"}))
	if err == nil {
		t.Error("want an error for malformed annotations")
	}
	if s.exitCode != 0 || s.runTime != defaultRunTime {
		t.Errorf("script = %+v, want defaults", s)
	}
}

func TestBackOffDelay(t *testing.T) {
	want := []time.Duration{0, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second,
		8 * time.Second, 8 * time.Second}
	for i, w := range want {
		if got := backOffDelay(int32(i)); got != w {
			t.Errorf("backOffDelay(%d) = %s, want %s", i, got, w)
		}
	}
}

func TestRenderLog(t *testing.T) {
	cs := corev1.ContainerStatus{State: corev1.ContainerState{
		Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(t0)}}}
	tests := []struct {
		text, query, want string
	}{
		{"boom", "", "boom\n"},
		{"", "", ""},
		{"a\nb\nc\n", "tailLines=2", "b\nc\n"},
		{"a\nb", "tailLines=0", ""},
		{"a\nb", "limitBytes=3", "a\nb"},
		{"a", "timestamps=true", "2026-01-01T12:00:00Z a\n"},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		got, err := renderLog(tt.text, cs, q)
		if err != nil || got != tt.want {
			t.Errorf("renderLog(%q, %q) = %q, %v; want %q", tt.text, tt.query, got, err, tt.want)
		}
	}
}
