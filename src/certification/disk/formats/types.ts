/**
 * The contract between the dispatcher (`index.ts`) and each container format's reader (raw, VHD,
 * qcow2, VMDK, VHDX): a reader gets the image file as a RangeReader and answers what the file is,
 * its virtual disk as another RangeReader ("read N bytes at virtual offset X"), and why it must
 * not be read (a refusal) or is damaged (a problem). Everything above (partition tables, file
 * systems, checks, the malware pass, the virtual disk's SHA-256) reads only through `disk`.
 */
import type { Localized } from '../../../i18n/localized.ts';
import type { ImageFormat } from '../../types.ts';
import type { RangeReader, VhdFooter } from '../types.ts';

/** Facts a reader found that the report or a check may name (qcow2 version, compression, VMDK create type). */
export type FormatDetails = Record<string, string | number | boolean>;

export interface OpenedFormat {
  format: ImageFormat;
  /** Bytes of the virtual disk as the header declares them. */
  virtualSize: number;
  /** The virtual disk; null when it must not or cannot be read (a refusal, a broken header). */
  disk: RangeReader | null;
  /**
   * Why the image is unsafe to read or to hand to a hypervisor: it points to other files (a
   * qcow2 backing file or external data file, a VMDK naming other extents, a differencing VHD's
   * parent), it is encrypted, or it needs a log replay. One sentence each, in every language.
   * A reader never opens a file the image points to.
   */
  refusals: Localized[];
  /** Structural damage found while opening (a bad checksum, a size that does not add up). */
  problems: Localized[];
  /** The VHD footer, for VHD images (fixed or dynamic). */
  footer?: VhdFooter | null;
  details?: FormatDetails;
}

/**
 * Opens one container format. May throw a VmarketError (IMAGE_CORRUPT or IMAGE_UNSUPPORTED with
 * a Localized message) for a header that cannot be read at all; the dispatcher turns it into a
 * problem. Reads of `disk` throw IMAGE_CORRUPT for a corrupt table met later (an L2 table or
 * grain outside the file, a compressed cluster that does not inflate).
 */
export type FormatOpener = (file: RangeReader) => Promise<OpenedFormat>;
