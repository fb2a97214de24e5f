// placeholder until this page is written (web portal, issue 4)
export function LeadsPage({ publisherId }: { publisherId: string }) {
  return <h1>LeadsPage</h1>;
}
