// placeholder until this page is written (web portal, issue 4)
export function OfferPage({ offerKey }: { offerKey: string }) {
  return <h1>OfferPage</h1>;
}
