/** Names of the action's saved state (GITHUB_STATE), shared by main and post. */
export const STATE = {
  /** Main's first act: post tells "main ran" from this, never from an import side effect. */
  phase: 'phase',
  mainFinished: 'mainFinished',
  checkRunId: 'checkRunId',
  /** {app, inventoryNamespace, holder}: what post needs to finish the inventory record and the lock. */
  target: 'target',
  /** Every hook's identity, saved before its create (names are deterministic). */
  hooks: 'hooks'
} as const
