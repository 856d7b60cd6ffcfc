import { enumWords, stateWords } from '../../src/infra/graph/enum-words';

describe('Graph enum values in words', () => {
  it.each([
    ['deliveryFailed', 'delivery failed'],
    ['partiallyDelivered', 'partially delivered'],
    ['sharedByEntraGroup', 'shared by entra group'],
    ['dedicated', 'dedicated'],
    ['pendingApproval', 'pending approval'],
  ])('%s reads %s', (value, words) => {
    expect(enumWords(value)).toBe(words);
  });

  it.each<[string, string | undefined, string]>([
    ['deliveryFailed', 'DeliveryFailed', 'delivery failed'],
    ['delivering', 'Delivering', 'delivering'],
    ['delivered', undefined, 'delivered'],
    ['partiallyDelivered', 'PartiallyDelivered', 'partially delivered'],
    ['submitted', 'PendingApprovalNotification', 'submitted (pending approval notification)'],
  ])('state %s with status %s reads %s', (state, status, words) => {
    expect(stateWords(state, status)).toBe(words);
  });
});
