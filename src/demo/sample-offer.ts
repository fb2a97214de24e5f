/**
 * The demo's sample offer `sample-ubuntu` of the demo publisher: a complete listing, one plan in
 * every operator region, its OS disk the sample image, and leads kept in the marketplace's own
 * table (no outside receiver needed).
 */

/** The id of the offer the demo publishes. */
export const SAMPLE_OFFER_ID = 'sample-ubuntu';

export interface SampleOfferInput {
  /** The demo publisher's id. */
  publisher: string;
  /** Absolute path of the sample OS disk (inside an allowed import dir). */
  osDisk: string;
  /** Region names the plan is offered in (the operator's regions). */
  regions: string[];
  /** Categories the operator allows; the sample uses `linux` and `security` when allowed. */
  categories: string[];
}

/** Builds the sample offer document (docs/contracts.md §2). */
export function sampleOffer(input: SampleOfferInput): Record<string, unknown> {
  const wanted = ['linux', 'security'].filter((c) => input.categories.includes(c));
  const categories = wanted.length ? wanted : input.categories.slice(0, 1);
  return {
    id: SAMPLE_OFFER_ID,
    publisher: input.publisher,
    listing: {
      title: 'Sample Ubuntu 22.04 LTS',
      summary: 'A minimal, certified Ubuntu 22.04 image published by the vmarket demo.',
      description: [
        'This offer was published by `vmarket demo` through the public API, end to end:',
        'validated, certified (disk format, partitions, Linux hygiene, SSH settings, malware scan),',
        'provisioned into the primary store, packaged and signed, and deployed to every region.',
        '',
        '- cloud-init provisioning, serial console on ttyS0',
        '- SSH with password login and root login disabled',
        '- no swap, no leftover keys or credentials',
      ].join('\n'),
      categories,
      keywords: ['ubuntu', 'linux', 'sample'],
      privacyUrl: 'https://example.com/privacy',
      termsOfUse: 'Sample image for demonstration only; provided as is, without warranty.',
      support: { name: 'vmarket demo support', email: 'support@example.com', url: 'https://example.com/support' },
      engineering: { name: 'vmarket demo engineering', email: 'engineering@example.com' },
    },
    previewAudience: ['00000000-0000-4000-8000-000000000001'],
    leads: { destination: 'table' },
    plans: [
      {
        id: 'standard',
        title: 'Standard',
        summary: 'Ubuntu 22.04 with cloud-init, ready to deploy.',
        description: 'One OS disk; SSH on port 22.',
        os: { family: 'linux', type: 'ubuntu', name: 'Ubuntu 22.04' },
        regions: input.regions,
        recommendedSizes: ['small', 'medium'],
        openPorts: [{ protocol: 'tcp', port: 22 }],
        pricing: { model: 'free' },
        images: [{ version: '1.0.0', osDisk: input.osDisk }],
      },
    ],
  };
}
