export { attachStuckTickets, openStuckStepTicket, type StuckStep } from './stuck.ts';
export {
  addTicketComment,
  getTicket,
  listTickets,
  openTicket,
  setTicketStatus,
  TICKET_STATUSES,
  type OpenTicketInput,
  type Ticket,
  type TicketComment,
  type TicketSource,
  type TicketStatus,
  type TicketWithComments,
} from './tickets.ts';
