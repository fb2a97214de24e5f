/** Lead delivery: types, destinations and the HMAC signature receivers check. */
export type { Lead, LeadContact, LeadContext, LeadDeliveryResult, LeadDestination } from './types.ts';
export { deliverLead, leadEmail, leadEvent, registerLeadDestination } from './deliver.ts';
export { hmacSignature, verifyHmacSignature } from '../security/hmac.ts';
