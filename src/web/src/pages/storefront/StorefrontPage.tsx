// placeholder until this page is written (web portal, issue 4)
export function StorefrontPage() {
  return <h1>StorefrontPage</h1>;
}
