package kubeletsim

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

// podController plays the kubelet's pod lifecycle for pods bound to our node:
// every pod event, and every scripted transition (via AddAfter), queues the
// pod's key; a worker then brings its status up to date in one write.
type podController struct {
	client kubernetes.Interface
	pods   corelisters.PodLister
	queue  workqueue.TypedRateLimitingInterface[string]
	ips    *ipPool

	mu   sync.Mutex
	runs map[string]*podRun // by namespace/name
}

func newPodController(client kubernetes.Interface, informer coreinformers.PodInformer) (*podController, error) {
	c := &podController{
		client: client,
		pods:   informer.Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "pods"}),
		ips:  newIPPool(),
		runs: map[string]*podRun{},
	}
	_, err := informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueue,
		UpdateFunc: func(_, obj any) { c.enqueue(obj) },
		DeleteFunc: c.enqueue,
	})
	return c, err
}

func (c *podController) enqueue(obj any) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		klog.ErrorS(err, "cannot key pod")
		return
	}
	c.queue.Add(key)
}

// run processes the queue with the given number of workers until ctx ends.
func (c *podController) run(ctx context.Context, workers int) {
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c.processNext(ctx) {
			}
		})
	}
	<-ctx.Done()
	c.queue.ShutDown()
	wg.Wait()
}

func (c *podController) processNext(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	if err := c.sync(ctx, key); err != nil {
		klog.ErrorS(err, "sync failed, will retry", "pod", key)
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	return true
}

// sync brings one pod's status up to date and schedules its next transition.
func (c *podController) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // never happens for keys we built
	}
	pod, err := c.pods.Pods(ns).Get(name)
	if apierrors.IsNotFound(err) {
		c.forget(key)
		return nil
	}
	if err != nil {
		return err
	}
	if pod.DeletionTimestamp != nil {
		return c.finalize(ctx, pod)
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		c.forget(key)
		return nil
	}

	s, err := scriptFor(pod)
	if err != nil {
		klog.ErrorS(err, "bad simulation annotation, using the default")
	}
	now := time.Now()
	r := c.runFor(key, pod, now)
	next := r.advance(s, pod.Spec.RestartPolicy, now)
	if err := c.writeStatus(ctx, pod, r, s, now); err != nil {
		return err
	}
	if !next.IsZero() {
		c.queue.AddAfter(key, next.Sub(now))
	}
	return nil
}

// runFor returns the pod's run, starting one for a newly bound pod.
func (c *podController) runFor(key string, pod *corev1.Pod, now time.Time) *podRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.runs[key]; ok && r.uid == string(pod.UID) {
		return r
	}
	r := recoverRun(pod)
	if r == nil {
		r = newPodRun(string(pod.UID), c.ips.next(), now)
	}
	c.runs[key] = r
	return r
}

func (c *podController) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.runs, key)
}

// writeStatus updates pods/status if it differs from the simulated one,
// re-reading the pod on conflict (the run itself is kept in memory).
func (c *podController) writeStatus(ctx context.Context, pod *corev1.Pod, r *podRun, s script, now time.Time) error {
	first := true
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		if !first {
			fresh, err := c.client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if fresh.UID != pod.UID || fresh.DeletionTimestamp != nil {
				return nil // replaced or terminating: the next event takes over
			}
			pod = fresh
		}
		first = false
		status := podStatus(pod, r, s, now)
		if equality.Semantic.DeepEqual(pod.Status, status) {
			return nil
		}
		updated := pod.DeepCopy()
		updated.Status = status
		_, err := c.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
		return err
	})
}

// finalize removes a terminating pod at once, as a kubelet does after its
// containers stopped: grace period 0, guarded by the pod's UID so that a
// recreated pod of the same name is never hit.
func (c *podController) finalize(ctx context.Context, pod *corev1.Pod) error {
	if g := pod.DeletionGracePeriodSeconds; g != nil && *g == 0 {
		return nil // already final; only finalizers keep it
	}
	err := c.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: ptrTo[int64](0),
		Preconditions:      metav1.NewUIDPreconditions(string(pod.UID)),
	})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}

// ipPool hands out pod IPs in 10.244.0.0/24 round-robin; reuse after 253
// pods is harmless because nothing routes to them.
type ipPool struct {
	mu sync.Mutex
	n  int
}

func newIPPool() *ipPool { return &ipPool{} }

func (p *ipPool) next() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n = p.n%253 + 1
	return fmt.Sprintf("10.244.0.%d", p.n+1)
}
