/**
 * Step names come from the server, which runs the pipeline and so knows its steps: the status
 * document's steps carry `name` (English) and `nameDe`; where a page has only a step id (a
 * ticket, the operator's overview) the names come from `GET /marketplace`'s `steps`.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MarketplaceFacts, StepFact } from '../../contracts/index.ts';
import { api } from './api/client.ts';

/** The step's name in the interface language. */
export function stepName(step: { name: string; nameDe: string }, language: string): string {
  return language.startsWith('de') ? step.nameDe : step.name;
}

/** One request per page load: the steps do not change while the server runs. */
let stepFacts: Promise<StepFact[]> | undefined;

function loadStepFacts(): Promise<StepFact[]> {
  stepFacts ??= api.get<MarketplaceFacts>('/marketplace', { auth: false }).then(
    (facts) => facts.steps,
    (error: unknown) => {
      // a failed load is tried again by the next page that asks
      stepFacts = undefined;
      throw error;
    },
  );
  return stepFacts;
}

/**
 * A function naming a step by its id in the interface language; until the marketplace's steps
 * are loaded (or when they cannot be) it answers `fallback` if given, else the id.
 */
export function useStepNames(): (id: string, fallback?: string) => string {
  const { i18n } = useTranslation();
  const [steps, setSteps] = useState<StepFact[] | undefined>(undefined);
  useEffect(() => {
    let live = true;
    loadStepFacts().then(
      (loaded) => live && setSteps(loaded),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return (id, fallback) => {
    const step = steps?.find((s) => s.id === id);
    return step ? stepName(step, i18n.language) : (fallback ?? id);
  };
}
