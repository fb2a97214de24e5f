/** What publishers, operators and customers read about lifecycle decisions, in English and German. */
import type { Phrase } from '../i18n/localized.ts';

/** `the plan P of O` or `O` (the whole offer). */
export const subject: Phrase<[key: string, plan: string | undefined]> = {
  en: (key, plan) => (plan ? `The plan ${plan} of ${key}` : `The offer ${key}`),
  de: (key, plan) => (plan ? `Der Plan ${plan} von ${key}` : `Das Angebot ${key}`),
};

export const notLive: Phrase<[string]> = {
  en: (key) => `The offer ${key} is not live; only a live offer can be deprecated or stop selling.`,
  de: (key) => `Das Angebot ${key} ist nicht live; nur ein live geschaltetes Angebot kann abgekündigt oder aus dem Verkauf genommen werden.`,
};
export const noLivePlan: Phrase<[string, string, string[]]> = {
  en: (key, plan, plans) => `The live version of ${key} has no plan ${plan} (its plans: ${plans.join(', ')}).`,
  de: (key, plan, plans) => `Die Live-Version von ${key} hat keinen Plan ${plan} (ihre Pläne: ${plans.join(', ')}).`,
};
export const notAPlan: Phrase<[string]> = { en: (key) => `not a plan of the live version of ${key}`, de: (key) => `kein Plan der Live-Version von ${key}` };
export const pastDate: Phrase<[string, string]> = {
  en: (date, today) => `The deprecation date ${date} is in the past; give today (${today}) or a later day.`,
  de: (date, today) => `Das Abkündigungsdatum ${date} liegt in der Vergangenheit; geben Sie heute (${today}) oder einen späteren Tag an.`,
};
export const alternativeNeedsPlan: Phrase<[]> = {
  en: () => 'An alternative plan is named for a deprecated plan (--plan); a whole offer has no alternative among its own plans.',
  de: () => 'Ein alternativer Plan wird für einen abgekündigten Plan angegeben (--plan); ein ganzes Angebot hat keine Alternative unter seinen eigenen Plänen.',
};
export const alternativeIsItself: Phrase<[string]> = {
  en: (plan) => `The alternative plan cannot be the deprecated plan ${plan} itself.`,
  de: (plan) => `Der alternative Plan kann nicht der abgekündigte Plan ${plan} selbst sein.`,
};
export const alternativeNotSold: Phrase<[string]> = {
  en: (plan) => `The alternative plan ${plan} is no longer sold itself; name a plan customers can acquire.`,
  de: (plan) => `Der alternative Plan ${plan} wird selbst nicht mehr verkauft; nennen Sie einen Plan, den Kunden erwerben können.`,
};
export const notDeprecated: Phrase<[string]> = {
  en: (what) => `${what} is not deprecated.`,
  de: (what) => `${what} ist nicht abgekündigt.`,
};
export const deprecationInEffect: Phrase<[string, string]> = {
  en: (what, on) => `${what} was deprecated on ${on}; a deprecation can be undone only before its day.`,
  de: (what, on) => `${what} wurde am ${on} abgekündigt; eine Abkündigung kann nur vor ihrem Tag zurückgenommen werden.`,
};
export const alreadyStopped: Phrase<[string, string]> = {
  en: (what, at) => `${what} stopped selling already (${at}).`,
  de: (what, at) => `${what} wird bereits nicht mehr verkauft (${at}).`,
};
export const notStopped: Phrase<[string]> = {
  en: (what) => `${what} is being sold; there is nothing to resume.`,
  de: (what) => `${what} wird verkauft; es gibt nichts fortzusetzen.`,
};

/** Acquire's refusals (customers read them on the offer page). */
export const refusedDeprecated: Phrase<[what: string, on: string, reason: string | null, alternative: string | null]> = {
  en: (what, on, reason, alternative) =>
    `${what} was deprecated on ${on}${reason ? ` (${reason})` : ''} and can no longer be acquired${alternative ? `; use plan ${alternative} instead` : ''}.`,
  de: (what, on, reason, alternative) =>
    `${what} wurde am ${on} abgekündigt${reason ? ` (${reason})` : ''} und kann nicht mehr erworben werden${alternative ? `; verwenden Sie stattdessen den Plan ${alternative}` : ''}.`,
};
export const refusedStopped: Phrase<[what: string]> = {
  en: (what) => `${what} is no longer sold.`,
  de: (what) => `${what} wird nicht mehr verkauft.`,
};

/** Revocation (operator, publisher). */
export const versionUnknown: Phrase<[string, string]> = {
  en: (key, version) => `${key} has no version ${version} (a version is the operation id of its live slot or of a version that was live).`,
  de: (key, version) => `${key} hat keine Version ${version} (eine Version ist die Vorgangs-ID seines Live-Slots oder einer früher live geschalteten Version).`,
};
export const alreadyRevoked: Phrase<[string, string, string]> = {
  en: (version, at, by) => `The version ${version} was revoked already (${at}, by ${by}).`,
  de: (version, at, by) => `Die Version ${version} wurde bereits widerrufen (${at}, von ${by}).`,
};
export const revocationUnknown: Phrase<[string, string]> = {
  en: (key, id) => `${key} has no revocation ${id}.`,
  de: (key, id) => `${key} hat keinen Widerruf ${id}.`,
};
export const nothingToRepublish: Phrase<[string]> = {
  en: (id) => `The revocation ${id} proposes no earlier version to republish.`,
  de: (id) => `Der Widerruf ${id} schlägt keine frühere Version zur erneuten Veröffentlichung vor.`,
};
export const republishDecided: Phrase<[string, string]> = {
  en: (id, status) => `The republish proposed by ${id} was ${status} already.`,
  de: (id, status) => `Die von ${id} vorgeschlagene erneute Veröffentlichung wurde bereits entschieden (${status}).`,
};
export const newerVersionLive: Phrase<[string, string]> = {
  en: (key, live) => `A newer version (${live}) of ${key} is live since the revocation; the earlier version is not republished over it.`,
  de: (key, live) => `Seit dem Widerruf ist eine neuere Version (${live}) von ${key} live; die frühere Version wird nicht darüber veröffentlicht.`,
};
export const noLongerCertified: Phrase<[string, string]> = {
  en: (version, why) => `The version ${version} cannot be republished: ${why}.`,
  de: (version, why) => `Die Version ${version} kann nicht erneut veröffentlicht werden: ${why}.`,
};
