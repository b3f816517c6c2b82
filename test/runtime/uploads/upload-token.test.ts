import { describe, expect, it } from 'vitest';
import { isLiveError } from '../../../runtime/errors.ts';
import { Keyring } from '../../../runtime/security/keyring.ts';
import { HmacJws } from '../../../runtime/security/hmac-jws.ts';
import { UploadTokens } from '../../../runtime/uploads/upload-token.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const claims = { node: 'n1', conn: 'c1', view: 'v1', upload: 'phx-u', entry: '0' };

describe('UploadTokens', () => {
  it('round-trips its claims and refuses a forged, expired or other-purpose token', async () => {
    const clock = new ManualClock();
    const keyring = new Keyring('a-secret-key-base-long-enough-for-tests-0123456789');
    const tokens = new UploadTokens(keyring, clock, 60);
    const token = await tokens.sign(claims);
    expect(await tokens.verify(token)).toEqual(claims);

    const refused = async (value: unknown): Promise<boolean> =>
      tokens.verify(value).then(
        () => false,
        (err) => isLiveError(err, 'LV_ERR_UPLOAD_TOKEN_INVALID'),
      );
    expect(await refused(token.slice(0, -2) + 'xx')).toBe(true);
    expect(
      await refused(await new UploadTokens(new Keyring('another-secret-key-base-long-enough-0123456789'), clock, 60).sign(claims)),
    ).toBe(true);
    expect(await refused(await new HmacJws(keyring, clock, 60).sign('flash', { ...claims, v: 1 }))).toBe(true);
    expect(await refused(undefined)).toBe(true);
    clock.advance(61_000);
    expect(await refused(token)).toBe(true);
  });
});
