export { attachStuckTickets, openStuckStepTicket, type StuckStep } from './stuck.ts';
export {
  addTicketComment,
  getTicket,
  listTickets,
  openTicket,
  setTicketStatus,
  type OpenTicketInput,
  type Ticket,
  type TicketWithComments,
} from './tickets.ts';
