/**
 * A Graph enum value in words for a card: `deliveryFailed` → `delivery failed`, `sharedByEntraGroup` →
 * `shared by Entra group`. Graph's enums are camelCase; people read words.
 */
export function enumWords(value: string): string {
  return value.replace(/([a-z0-9])([A-Z])/g, (_m, a: string, b: string) => `${a} ${b.toLowerCase()}`);
}

/**
 * A state and its status (accessPackageAssignmentRequest has both, often the same word in two cases) as one
 * phrase: `deliveryFailed` and `DeliveryFailed` → `delivery failed`; a status that says more is added.
 */
export function stateWords(state: string, status?: string | null): string {
  const said = enumWords(state);
  const more = status ? enumWords(status) : '';
  return more && more.toLowerCase() !== said.toLowerCase() ? `${said} (${more.toLowerCase()})` : said;
}
