// placeholder until this page is written (web portal, issue 4)
export function OffersPage({ publisherId }: { publisherId: string }) {
  return <h1>OffersPage</h1>;
}
