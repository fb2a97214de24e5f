/** Leads: delivery (types, destinations, the HMAC signature receivers check), the offers' signing secrets and the stored leads. */
export type { Lead, LeadContact, LeadContext, LeadDeliveryResult, LeadDestination } from './types.ts';
export { deliverLead, leadEmail, leadEvent, registerLeadDestination } from './deliver.ts';
export { hmacSignature, verifyHmacSignature } from '../security/hmac.ts';
export { countLeadsByStatus, listLeads } from './records.ts';
export { ensureLeadSecret, leadSecretFingerprint, leadSecretInfo, leadSigningSecret, rotateLeadSecret } from './secrets.ts';
