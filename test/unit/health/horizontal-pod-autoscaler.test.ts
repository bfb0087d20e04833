import { describe, expect, test } from '@jest/globals'
import { horizontalPodAutoscalerHealth } from '../../../src/health/horizontal-pod-autoscaler.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('horizontalPodAutoscalerHealth (sync-semantics §6.3)', () => {
  test.each<[string, HealthStatus, string]>([
    // v1: conditions from the JSON annotation; ScalingActive/FailedGetResourceMetric
    [
      'hpa-v1-degraded',
      'Degraded',
      'the HPA was unable to compute the replica count: missing request for cpu'
    ],
    // v1: AbleToScale=True
    ['hpa-v1-healthy', 'Healthy', 'recommended size matches current size'],
    // v1 without the annotation: no conditions yet
    ['hpa-v1-progressing', 'Progressing', 'Waiting to Autoscale'],
    // v1 with a broken annotation: cannot judge
    [
      'hpa-v1-invalid-annotation',
      'Unknown',
      'annotation autoscaling.alpha.kubernetes.io/conditions is not valid JSON'
    ],
    // v2: the first healthy condition's message
    ['hpa-v2-healthy', 'Healthy', 'recommended size matches current size'],
    // v2: a degraded condition after a healthy one still wins
    [
      'hpa-v2-degraded',
      'Degraded',
      'the HPA was unable to compute the replica count: unable to get metric requests-per-second'
    ],
    // v2: ScalingLimited=True is Healthy although AbleToScale=False
    ['hpa-v2-limited', 'Healthy', 'the desired replica count is more than the maximum replica count'],
    // v2: conditions, none healthy or degraded
    ['hpa-v2-progressing', 'Progressing', 'Waiting to Autoscale']
  ])('%s → %s', (name, status, message) => {
    expect(horizontalPodAutoscalerHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
