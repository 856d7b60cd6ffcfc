import type { Fact } from '../../domain/actions/action';
import { GUID_PATTERN, isGuid } from '../../infra/graph/odata';
import { clip, localTime, ROOM } from './card-text';
import { RFC3339 } from './relative-time';

/*
 * A card's body names things; ids (object ids, Graph request-ids) are for support tickets and copying, so they
 * go to the subtle footer. Times go to text lines, where DATE()/TIME() show them in each viewer's own zone (a
 * FactSet value would show the function as written). Actions and diagnoses describe targets with facts, some
 * of which are ids or times: this sorts them where a card is built.
 */

/** A fact that is an id by its title: "Object id", "request-id", "Read-back request-id". */
const ID_TITLE = /(^|[\s-])id$/i;
/** "user Bob Jones (bob@contoso.com) · 1000…": a name with its id after it. */
const NAME_THEN_GUID = new RegExp(`^(.+?)\\s+·\\s+(${GUID_PATTERN})$`, 'i');
/** A value that is one RFC 3339 time, as Graph writes them. */
const ONLY_TIME = new RegExp(`^${RFC3339}$`);

/** A card's facts for its FactSet, its times as text lines ("Created <DATE TIME>"), and its ids for the footer. */
export interface SortedFacts {
  readonly facts: Fact[];
  readonly times: string[];
  readonly ids: string[];
}

/** Sorts facts into names (any trailing id cut off), times and ids ("Object id 1000…"). */
export function sortFacts(facts: readonly Fact[]): SortedFacts {
  const body: Fact[] = [];
  const times: string[] = [];
  const ids: string[] = [];
  for (const f of facts) {
    const value = f.value.trim();
    const named = NAME_THEN_GUID.exec(value);
    if (ID_TITLE.test(f.title) || isGuid(value)) ids.push(`${f.title} ${value}`);
    else if (ONLY_TIME.test(value)) times.push(`${f.title} ${localTime(value)}`);
    else if (named?.[1] && named[2]) {
      body.push({ title: f.title, value: named[1] });
      ids.push(`${named[1]} ${named[2]}`);
    } else body.push(f);
  }
  return { facts: body, times, ids };
}

/** A name with the id after it ("Alice Smith (alice@contoso.com) · 1000…") split in two; id null without one. */
export function nameAndId(text: string): { name: string; id: string | null } {
  const named = NAME_THEN_GUID.exec(text.trim());
  return named?.[1] && named[2] ? { name: named[1], id: named[2] } : { name: text, id: null };
}

/** Footer ids joined for a card, clipped to one line's room; empty when there are none. */
export function idLine(ids: readonly string[]): string {
  return ids.length === 0 ? '' : clip(ids.join(' · '), ROOM.line);
}
