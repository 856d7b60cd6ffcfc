import type { Fact } from '../../domain/actions/action';
import { clip, ROOM } from './card-text';

/*
 * A card's body names things; ids (object ids, Graph request-ids) are for support tickets and copying, so they
 * go to the subtle footer. Actions and diagnoses describe targets with facts, some of which are ids: this
 * sorts them out where a card is built.
 */

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** A fact that is an id by its title: "Object id", "request-id", "Read-back request-id". */
const ID_TITLE = /(^|[\s-])id$/i;
const ONLY_GUID = new RegExp(`^${GUID}$`, 'i');
/** "user Bob Jones (bob@contoso.com) · 1000…": a name with its id after it. */
const NAME_THEN_GUID = new RegExp(`^(.+?)\\s+·\\s+(${GUID})$`, 'i');

/** A card's facts for its body, and the ids among them as footer text ("Object id 1000…"). */
export interface SortedFacts {
  readonly facts: Fact[];
  readonly ids: string[];
}

/** Sorts facts into those the body shows (names, with any trailing id cut off) and the ids for the footer. */
export function idsToFooter(facts: readonly Fact[]): SortedFacts {
  const body: Fact[] = [];
  const ids: string[] = [];
  for (const f of facts) {
    if (ID_TITLE.test(f.title) || ONLY_GUID.test(f.value.trim())) {
      ids.push(`${f.title} ${f.value}`);
      continue;
    }
    const named = NAME_THEN_GUID.exec(f.value.trim());
    if (named) {
      body.push({ title: f.title, value: named[1]! });
      ids.push(`${named[1]} ${named[2]}`);
      continue;
    }
    body.push(f);
  }
  return { facts: body, ids };
}

/** Footer ids joined for a card, clipped to one line's room; empty when there are none. */
export function idLine(ids: readonly string[]): string {
  return ids.length === 0 ? '' : clip(ids.join(' · '), ROOM.line);
}
