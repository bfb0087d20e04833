import type { Report } from '../report/model.js'
import { previewComment, previewMarker } from '../report/render-preview.js'
import type { ActionInputs, PreviewSettings } from './inputs.js'
import type { ActionDeps, GitHubApi } from './ports.js'

/**
 * A PR preview's GitHub side (issue 6): one comment on the pull request, edited on each push; a
 * GitHub deployment to the preview environment with its status (success or failure, with the URL),
 * marked inactive when the pull request closes and the preview is torn down.
 */
export async function publishPreview(
  deps: ActionDeps,
  inputs: ActionInputs,
  report: Report | undefined,
  headSha: string
): Promise<void> {
  const preview = inputs.publish.preview
  if (!preview) return
  const github = deps.github(inputs.publish.token)
  const closed = inputs.sync.operation === 'delete'
  if (preview.url && !closed) deps.runner.setOutput('preview-url', preview.url)
  deps.runner.setOutput('namespace', inputs.sync.namespace)
  if (preview.comment)
    await upsertComment(
      github,
      preview,
      previewComment({
        app: inputs.sync.app,
        namespace: inputs.sync.namespace,
        report,
        url: preview.url,
        runUrl: inputs.sync.runUrl,
        closed
      }),
      inputs.sync.app
    )
  if (closed) await deactivate(github, preview)
  else await deploy(github, preview, report, headSha, inputs.sync.runUrl)
}

async function upsertComment(
  github: GitHubApi,
  preview: PreviewSettings,
  body: string,
  app: string
): Promise<void> {
  const existing = (await github.listComments(preview.number)).find(comment =>
    comment.body.includes(previewMarker(app))
  )
  if (existing) await github.updateComment(existing.id, body)
  else await github.createComment(preview.number, body)
}

async function deploy(
  github: GitHubApi,
  preview: PreviewSettings,
  report: Report | undefined,
  headSha: string,
  runUrl: string | undefined
): Promise<void> {
  const id = await github.createDeployment({
    ref: headSha,
    environment: preview.environment,
    description: `wavesync preview of pull request #${preview.number}`,
    transient: true
  })
  const succeeded = report?.phase === 'Succeeded'
  await github.createDeploymentStatus(id, {
    state: succeeded ? 'success' : 'failure',
    description: (report?.message.split('\n')[0] ?? 'invalid input').slice(0, 140),
    ...(preview.url ? { environmentUrl: preview.url } : {}),
    ...(runUrl ? { logUrl: runUrl } : {})
  })
}

/** The pull request closed: every deployment of its environment becomes inactive. */
async function deactivate(github: GitHubApi, preview: PreviewSettings): Promise<void> {
  for (const id of await github.listDeployments(preview.environment)) {
    await github.createDeploymentStatus(id, { state: 'inactive', description: 'preview torn down' })
  }
}
