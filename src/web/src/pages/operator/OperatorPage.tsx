// placeholder until this page is written (web portal, issue 4)
export type OperatorSection = 'publishers' | 'operations' | 'tickets' | 'reviews';
export function OperatorPage({ section }: { section: OperatorSection }) {
  return <h1>OperatorPage {section}</h1>;
}
