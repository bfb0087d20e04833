package kubeletsim

import (
	"context"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"k8s.io/component-base/version"
	"k8s.io/klog/v2"
)

// Like the kubelet: renew the node Lease every 10 s (valid 40 s) and repost
// the node status every minute, so the node never looks stale.
const (
	leaseDuration    = 40 * time.Second
	leaseRenewPeriod = 10 * time.Second
	statusPeriod     = time.Minute
)

// nodeAgent registers our Node and keeps it Ready.
type nodeAgent struct {
	client kubernetes.Interface
	name   string
	port   int32 // kubelet API (logs) port
}

// register creates the Node (or adopts one left from an earlier run) and
// posts a Ready status.
func (n *nodeAgent) register(ctx context.Context) error {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: n.name, Labels: map[string]string{
			corev1.LabelHostname:      n.name,
			corev1.LabelOSStable:      "linux",
			corev1.LabelArchStable:    "amd64",
			"beta.kubernetes.io/os":   "linux",
			"beta.kubernetes.io/arch": "amd64",
		}},
		Spec: corev1.NodeSpec{PodCIDR: "10.244.0.0/24", PodCIDRs: []string{"10.244.0.0/24"}},
	}
	_, err := n.client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	// Untaint first: once the node reports Ready, pods can be scheduled.
	if err := n.untaint(ctx); err != nil {
		return err
	}
	return n.postStatus(ctx)
}

// conditionTaints are the taints that mirror node conditions. The API
// server's TaintNodesByCondition admission adds not-ready to every new Node;
// the node-lifecycle controller, which we do not run, would remove it once
// the node reports Ready, so we do.
var conditionTaints = map[string]bool{
	corev1.TaintNodeNotReady:           true,
	corev1.TaintNodeUnreachable:        true,
	corev1.TaintNodeMemoryPressure:     true,
	corev1.TaintNodeDiskPressure:       true,
	corev1.TaintNodePIDPressure:        true,
	corev1.TaintNodeNetworkUnavailable: true,
}

func (n *nodeAgent) untaint(ctx context.Context) error {
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		node, err := n.client.CoreV1().Nodes().Get(ctx, n.name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		kept := node.Spec.Taints[:0]
		for _, t := range node.Spec.Taints {
			if !conditionTaints[t.Key] {
				kept = append(kept, t)
			}
		}
		if len(kept) == len(node.Spec.Taints) {
			return nil
		}
		node.Spec.Taints = kept
		_, err = n.client.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{})
		return err
	})
}

func (n *nodeAgent) postStatus(ctx context.Context) error {
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		node, err := n.client.CoreV1().Nodes().Get(ctx, n.name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		node.Status = n.status(node.Status, time.Now())
		_, err = n.client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
		return err
	})
}

func (n *nodeAgent) status(old corev1.NodeStatus, now time.Time) corev1.NodeStatus {
	resources := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("32"),
		corev1.ResourceMemory:           resource.MustParse("128Gi"),
		corev1.ResourcePods:             resource.MustParse("250"),
		corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
	return corev1.NodeStatus{
		Capacity:    resources,
		Allocatable: resources,
		Phase:       corev1.NodeRunning,
		Conditions: []corev1.NodeCondition{
			nodeCondition(old, corev1.NodeReady, corev1.ConditionTrue, "KubeletReady",
				"kubelet-sim is posting ready status", now),
			nodeCondition(old, corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory",
				"kubelet-sim has sufficient memory available", now),
			nodeCondition(old, corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure",
				"kubelet-sim has no disk pressure", now),
			nodeCondition(old, corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID",
				"kubelet-sim has sufficient PID available", now),
		},
		Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeInternalIP, Address: hostIP},
			{Type: corev1.NodeHostName, Address: n.name},
		},
		DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: n.port}},
		NodeInfo: corev1.NodeSystemInfo{
			MachineID:               "wavesync-kubelet-sim",
			SystemUUID:              "wavesync-kubelet-sim",
			BootID:                  "wavesync-kubelet-sim",
			KernelVersion:           "sim",
			OSImage:                 "wavesync kubelet-sim",
			ContainerRuntimeVersion: "sim://0.1.0",
			KubeletVersion:          version.Get().GitVersion,
			OperatingSystem:         "linux",
			Architecture:            "amd64",
		},
		Images: old.Images,
	}
}

func nodeCondition(old corev1.NodeStatus, t corev1.NodeConditionType, s corev1.ConditionStatus,
	reason, msg string, now time.Time) corev1.NodeCondition {
	c := corev1.NodeCondition{Type: t, Status: s, Reason: reason, Message: msg,
		LastHeartbeatTime: metav1.NewTime(now), LastTransitionTime: metav1.NewTime(now)}
	for _, o := range old.Conditions {
		if o.Type == t && o.Status == s {
			c.LastTransitionTime = o.LastTransitionTime
		}
	}
	return c
}

// heartbeat renews the Lease and reposts the status until ctx ends.
func (n *nodeAgent) heartbeat(ctx context.Context) {
	lease, status := time.NewTicker(leaseRenewPeriod), time.NewTicker(statusPeriod)
	defer lease.Stop()
	defer status.Stop()
	n.logIfErr(n.renewLease(ctx), "renew lease")
	for {
		select {
		case <-ctx.Done():
			return
		case <-lease.C:
			n.logIfErr(n.renewLease(ctx), "renew lease")
		case <-status.C:
			n.logIfErr(n.postStatus(ctx), "post node status")
		}
	}
}

func (n *nodeAgent) logIfErr(err error, what string) {
	if err != nil && !apierrors.IsNotFound(err) {
		klog.ErrorS(err, what, "node", n.name)
	}
}

func (n *nodeAgent) renewLease(ctx context.Context) error {
	leases := n.client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	now := metav1.NewMicroTime(time.Now())
	lease, err := leases.Get(ctx, n.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = leases.Create(ctx, n.newLease(ctx, now), metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	lease.Spec.RenewTime = &now
	_, err = leases.Update(ctx, lease, metav1.UpdateOptions{})
	return err
}

// newLease builds the node's Lease, owned by the Node like the kubelet's,
// so it is garbage-collected with it.
func (n *nodeAgent) newLease(ctx context.Context, now metav1.MicroTime) *coordinationv1.Lease {
	lease := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: n.name, Namespace: corev1.NamespaceNodeLease},
		Spec: coordinationv1.LeaseSpec{
			HolderIdentity:       ptrTo(n.name),
			LeaseDurationSeconds: ptrTo(int32(leaseDuration / time.Second)),
			RenewTime:            &now,
		},
	}
	if node, err := n.client.CoreV1().Nodes().Get(ctx, n.name, metav1.GetOptions{}); err == nil {
		lease.OwnerReferences = []metav1.OwnerReference{{
			APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID,
		}}
	}
	return lease
}
