// placeholder until this page is written (web portal, issue 4)
export function PublishingPage({ publisherId, offerId }: { publisherId: string; offerId: string }) {
  return <h1>PublishingPage</h1>;
}
