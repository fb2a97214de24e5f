// placeholder until this page is written (web portal, issue 4)
export function OfferEditorPage({ publisherId, offerId }: { publisherId: string; offerId?: string }) {
  return <h1>OfferEditorPage</h1>;
}
