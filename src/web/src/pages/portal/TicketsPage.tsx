// placeholder until this page is written (web portal, issue 4)
export function TicketsPage({ publisherId }: { publisherId: string }) {
  return <h1>TicketsPage {publisherId}</h1>;
}
export function TicketPage({ publisherId, ticketId }: { publisherId: string; ticketId: string }) {
  return <h1>TicketPage {publisherId} {ticketId}</h1>;
}
