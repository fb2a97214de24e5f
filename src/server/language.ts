/**
 * Answers in the caller's language. The request's `Accept-Language` picks one of the offered
 * languages (English when none fits); every JSON answer, errors included, then carries that
 * language's texts where the server has them (step messages, validation problems, the
 * certification report's findings) and keeps exactly the contract's shape. `Vary` tells caches
 * that the answer depends on the header.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Locale, negotiateLocale } from '../i18n/locale.ts';
import { localizeTree } from '../i18n/localize-tree.ts';

export function requestLocale(request: FastifyRequest): Locale {
  return negotiateLocale(request.headers['accept-language']);
}

export function installLanguage(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/api/')) reply.header('vary', 'Accept-Language');
  });
  // before the serializer, whose response schemas would otherwise drop `translations` unread
  app.addHook('preSerialization', async (request, _reply, payload) => localizeTree(payload, requestLocale(request)));
}
