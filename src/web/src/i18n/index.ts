/**
 * English and German. Each area of the app has its own namespace file (`en/<area>.json`,
 * `de/<area>.json`), picked up here by the build. The language follows the browser
 * (navigator.languages, which carries its Accept-Language) until the user picks one, which is
 * remembered on this device.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];
const CHOSEN = 'vmarket.language';

type Bundle = Record<string, unknown>;
const files = import.meta.glob<Bundle>('./*/*.json', { eager: true, import: 'default' });

function resources(): Record<string, Record<string, Bundle>> {
  const out: Record<string, Record<string, Bundle>> = {};
  for (const [file, bundle] of Object.entries(files)) {
    const [, lng, ns] = /^\.\/(\w+)\/([\w-]+)\.json$/.exec(file) ?? [];
    if (!lng || !ns) continue;
    (out[lng] ??= {})[ns] = bundle;
  }
  return out;
}

function chosenLanguage(): Language | null {
  try {
    const value = localStorage.getItem(CHOSEN);
    return (LANGUAGES as readonly string[]).includes(value ?? '') ? (value as Language) : null;
  } catch {
    return null;
  }
}

/** The first of the browser's languages we have, else English. */
export function browserLanguage(languages: readonly string[] = navigator.languages ?? [navigator.language]): Language {
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0];
    if ((LANGUAGES as readonly string[]).includes(base)) return base as Language;
  }
  return 'en';
}

export async function setupI18n(): Promise<typeof i18next> {
  const lng = chosenLanguage() ?? browserLanguage();
  await i18next.use(initReactI18next).init({
    resources: resources(),
    lng,
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    defaultNS: 'common',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  document.documentElement.lang = lng;
  i18next.on('languageChanged', (next) => {
    document.documentElement.lang = next;
  });
  return i18next;
}

export function chooseLanguage(lng: Language): void {
  try {
    localStorage.setItem(CHOSEN, lng);
  } catch {
    // not remembered; still switched for this page
  }
  void i18next.changeLanguage(lng);
}
