// Generates the benchmark's manifests: one object per file, YAML, into a temporary folder. The
// objects carry no namespace, so the same folder can be synced into a fresh namespace each run by
// wavesync (--namespace), kubectl (-n) and the floor alike.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as yaml from 'js-yaml'

export const WAVE_LABEL = 'bench.wavesync.dev/wave'

/** 60 % ConfigMaps, 20 % Services, 20 % Deployments (1 replica, ready at once on the simulator). */
export function mixedObjects(count, { wave, prefix = 'obj' } = {}) {
  const objects = []
  for (let i = 0; i < count; i++) {
    const slot = i % 5
    const name = `${prefix}-${String(i).padStart(4, '0')}`
    if (slot < 3) objects.push(configMap(name, wave))
    else if (slot === 3) objects.push(service(name, wave))
    else objects.push(deployment(name, wave))
  }
  return objects
}

function metadata(name, wave) {
  const meta = { name, labels: { 'app.kubernetes.io/part-of': 'wavesync-bench' } }
  if (wave !== undefined) {
    meta.labels[WAVE_LABEL] = String(wave)
    meta.annotations = { 'argocd.argoproj.io/sync-wave': String(wave) }
  }
  return meta
}

function configMap(name, wave) {
  const data = {}
  for (let k = 0; k < 8; k++) data[`key-${k}`] = `value ${k} of ${name} `.repeat(4)
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(name, wave), data }
}

function service(name, wave) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(name, wave),
    spec: {
      type: 'ClusterIP',
      // Selects its own Deployment-less label: no endpoint churn from other runs' pods.
      selector: { app: name },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]
    }
  }
}

function deployment(name, wave) {
  const labels = { app: name }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(name, wave),
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example/bench/app:1.0.0',
              ports: [{ containerPort: 8080 }],
              env: [{ name: 'NAME', value: name }],
              resources: { requests: { cpu: '1m', memory: '1Mi' } }
            }
          ]
        }
      }
    }
  }
}

/**
 * 20 Argo CD hook Jobs: PreSync (waves 0 and 1), Sync (with five ConfigMaps) and PostSync (waves 0
 * and 1), delete policies mixed (HookSucceeded, BeforeHookCreation, HookFailed). Each Job's pod
 * runs 0.2 s on the simulator and exits 0.
 */
export function hookObjects() {
  const plan = [
    ['PreSync', 0, 4],
    ['PreSync', 1, 3],
    ['Sync', 0, 6],
    ['PostSync', 0, 4],
    ['PostSync', 1, 3]
  ]
  const policies = ['HookSucceeded', 'BeforeHookCreation', 'HookFailed', 'HookSucceeded,BeforeHookCreation']
  const objects = []
  let n = 0
  for (const [phase, wave, count] of plan) {
    for (let i = 0; i < count; i++, n++) {
      const name = `hook-${phase.toLowerCase()}-${wave}-${i}`
      objects.push({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name,
          labels: { 'app.kubernetes.io/part-of': 'wavesync-bench' },
          annotations: {
            'argocd.argoproj.io/hook': phase,
            'argocd.argoproj.io/hook-delete-policy': policies[n % policies.length],
            'argocd.argoproj.io/sync-wave': String(wave)
          }
        },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { annotations: { 'sim.wavesync.dev/run-seconds': '0.2' } },
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'hook', image: 'registry.example/bench/hook:1.0.0', command: ['true'] }]
            }
          }
        }
      })
    }
  }
  for (let i = 0; i < 5; i++) objects.push(configMap(`hooked-config-${i}`, undefined))
  return objects
}

/** Writes one YAML file per object into `dir` (created); returns the folder. */
export function writeManifests(dir, objects) {
  mkdirSync(dir, { recursive: true })
  objects.forEach((object, i) => {
    const file = `${String(i).padStart(4, '0')}-${object.kind.toLowerCase()}-${object.metadata.name}.yaml`
    writeFileSync(path.join(dir, file), yaml.dump(object, { lineWidth: -1 }))
  })
  return dir
}
