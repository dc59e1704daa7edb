// The preview inputs (`preview-hook`, `preview-hook-secret`, `preview-url`), checked together and with
// `image`, before anything runs. The hook and its secret are secrets: no message shows them.
import { isHttpUrl, isLinkLocal } from './config-checks.js';
import { ConfigError } from './inputs.js';

export interface PreviewConfig {
  /** Where previews are deployed and destroyed (a secret). */
  hook: string;
  /** Key of the body's HMAC-SHA256 signature (a secret). */
  secret: string;
  /** The preview's URL when the hook's answer names none; `{pr}` stands for the pull request number. */
  urlTemplate?: string;
}

/** Shortest `preview-hook-secret` taken: a short key is guessed, and signatures then prove nothing. */
export const MIN_PREVIEW_SECRET_LENGTH = 16;

/** The preview's settings, or undefined without `preview-hook`; throws a ConfigError naming the input and the fix. */
export function previewConfig(values: { hook?: string; secret?: string; url?: string; image?: string }): PreviewConfig | undefined {
  const { hook, secret, url, image } = values;
  if (!hook) {
    if (secret) throw new ConfigError('preview-hook-secret', 'is set, but `preview-hook` is empty: give the preview hook it signs, or remove the secret.');
    if (url)
      throw new ConfigError('preview-url', 'is set, but `preview-hook` is empty: previews are deployed through the hook; give it, or remove `preview-url`.');
    return undefined;
  }
  if (!isHttpUrl(hook)) throw new ConfigError('preview-hook', 'the value given (a secret, not shown) is not an http(s) URL.');
  if (isLinkLocal(new URL(hook).hostname)) {
    throw new ConfigError('preview-hook', 'the value given points at a link-local address (cloud metadata services); give your receiver’s own address.');
  }
  if (!image) {
    throw new ConfigError(
      'preview-hook',
      'is set, but `image` is empty: a preview runs the image built from the pull request; set `image` (e.g. ghcr.io/acme/shop).'
    );
  }
  if (!secret) {
    throw new ConfigError(
      'preview-hook-secret',
      'is empty, but `preview-hook` is set: every hook body is signed with it, so the receiver can refuse calls that are not Slipway’s. Generate one (`openssl rand -hex 32`) and store it as a secret.'
    );
  }
  if (secret.length < MIN_PREVIEW_SECRET_LENGTH) {
    throw new ConfigError('preview-hook-secret', `is shorter than ${MIN_PREVIEW_SECRET_LENGTH} characters; use a long random one (\`openssl rand -hex 32\`).`);
  }
  return { hook, secret, urlTemplate: url === undefined ? undefined : previewUrlTemplate(url) };
}

/** A URL, `{pr}` standing for the pull request number (a fixed URL is allowed: one shared preview). */
function previewUrlTemplate(template: string): string {
  const example = template.split('{pr}').join('7');
  if (!isHttpUrl(example) || /[{}]/.test(example)) {
    throw new ConfigError('preview-url', `"${template}" is not an http(s) URL with {pr} for the pull request number, e.g. https://shop-pr-{pr}.onrender.com.`);
  }
  if (isLinkLocal(new URL(example).hostname))
    throw new ConfigError('preview-url', `"${template}" points at a link-local address; give the preview's own address.`);
  return template;
}
