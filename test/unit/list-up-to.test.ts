import { listUpTo } from '../../src/infra/graph/graph-api';
import { ScriptedGraph } from './scripted-graph';

const PATH = '/identityGovernance/entitlementManagement/assignmentRequests';

describe('listUpTo', () => {
  it.each([
    { listed: 0, ceiling: 3, items: 0, complete: true },
    { listed: 3, ceiling: 3, items: 3, complete: true },
    { listed: 4, ceiling: 3, items: 3, complete: false },
    { listed: 50, ceiling: 3, items: 3, complete: false },
  ])('$listed listed, ceiling $ceiling: $items items, complete $complete', async (c) => {
    const graph = new ScriptedGraph({
      [`GET ${PATH}`]: { value: Array.from({ length: c.listed }, (_, n) => ({ id: `r${n}` })) },
    });
    const read = await listUpTo<{ id: string }>(graph, PATH, c.ceiling, { query: { $filter: 'x' } });
    expect(read.items.map((r) => r.id)).toEqual(Array.from({ length: c.items }, (_, n) => `r${n}`));
    expect(read.complete).toBe(c.complete);
    expect(read.ceiling).toBe(c.ceiling);
    expect(graph.calls[0]?.query).toEqual({ $filter: 'x' });
  });
});
