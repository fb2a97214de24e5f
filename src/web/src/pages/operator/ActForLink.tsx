/**
 * A link from the operator view into the publisher portal: it makes the operator act for the
 * publisher first (useAuth().actFor), so the portal page opens for that publisher.
 */
import type { ReactNode } from 'react';
import { useAuth } from '../../auth.tsx';
import { Link } from '../../router.tsx';

export function ActForLink({ publisherId, to, children, label }: { publisherId: string; to: string; children: ReactNode; label?: string }) {
  const { actFor } = useAuth();
  return (
    <Link to={to} aria-label={label} onClick={() => actFor(publisherId)}>
      {children}
    </Link>
  );
}
