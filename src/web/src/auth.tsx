/**
 * Who is signed in: the token (session storage), what `GET /me` says it is, and the publisher the
 * pages act for (the token's own publisher, or the one an operator picked).
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, ApiError } from './api/client.ts';
import type { Me } from '../../contracts/index.ts';
import { session } from './session.ts';

export interface Auth {
  /** null while the stored token is being checked. */
  ready: boolean;
  me: Me | null;
  isOperator: boolean;
  /** The publisher the portal pages act for; null for an operator who has not picked one. */
  publisherId: string | null;
  signIn(token: string): Promise<Me>;
  signOut(): void;
  actFor(publisherId: string | null): void;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [ready, setReady] = useState(false);
  const [acting, setActing] = useState<string | null>(session.actingPublisher());

  useEffect(() => {
    if (!session.token()) {
      setReady(true);
      return;
    }
    api
      .get<Me>('/me')
      .then(setMe)
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) session.clearCredentials();
      })
      .finally(() => setReady(true));
  }, []);

  const signIn = useCallback(async (token: string) => {
    const trimmed = token.trim();
    const answer = await api.get<Me>('/me', { headers: { authorization: `Bearer ${trimmed}` }, auth: false });
    session.setToken(trimmed);
    setMe(answer);
    return answer;
  }, []);

  const signOut = useCallback(() => {
    session.clearCredentials();
    setMe(null);
    setActing(null);
  }, []);

  const actFor = useCallback((publisherId: string | null) => {
    session.setActingPublisher(publisherId);
    setActing(publisherId);
  }, []);

  const value = useMemo<Auth>(() => {
    const isOperator = me?.kind === 'operator';
    return {
      ready,
      me,
      isOperator,
      publisherId: isOperator ? acting : (me?.publisher?.id ?? null),
      signIn,
      signOut,
      actFor,
    };
  }, [ready, me, acting, signIn, signOut, actFor]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
