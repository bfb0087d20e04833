import type { InventoryRecord } from '../../src/inventory/record.js'
import { EPOCH } from './fake-clock.js'

/** Fields of a record to replace; `operation` is merged into the default one, not replaced. */
export type RecordOverrides = Partial<Omit<InventoryRecord, 'operation'>> & {
  operation?: Partial<InventoryRecord['operation']>
}

/**
 * An inventory record of app `shop`: revision 1 of an install, still pending (what a run writes
 * before its first apply), holding nothing unless `overrides` say so.
 */
export function inventoryRecord(overrides: RecordOverrides = {}): InventoryRecord {
  const { operation, ...rest } = overrides
  return {
    schema: 1,
    app: 'shop',
    revision: 1,
    status: 'pending-install',
    source: { commit: '0123456789abcdef', paths: ['app'] },
    operation: {
      type: 'sync',
      mode: 'install',
      id: 'run-1',
      startedAt: new Date(EPOCH).toISOString(),
      ...operation
    },
    objects: [],
    retained: [],
    hooks: [],
    manifests: [],
    ...rest
  }
}
