// Names of the shipped weight folders (weights/) that the demo and the bench use by default.

/**
 * The default known-domain deblurrer D_K for a known camera: NAFNet small32 trained on rendered pairs
 * (weights/README.md). The first D_K, `dk-<camera>-nafnet-small`, is kept: the shipped translators were
 * selected with it.
 */
export const shippedDeblurrer = (known: string): string => `dk-${known}-nafnet-small32`;
