import { describeErrorDetail, MAX_DETAIL_LENGTH } from '../../src/infra/graph/provisioning-error-detail';

const NS = 'http://schemas.microsoft.com/online/directoryservices/change/2008/11';

/** The shape the services publish: ServiceInstance › ObjectErrors › ErrorRecord (ErrorCode, ErrorDescription). */
function record(description: string, code?: string): string {
  return `<ErrorRecord>${code ? `<ErrorCode>${code}</ErrorCode>` : ''}<ErrorParameters><ErrorParameter>p</ErrorParameter></ErrorParameters><ErrorDescription>${description}</ErrorDescription></ErrorRecord>`;
}
function instance(name: string, ...records: string[]): string {
  return `<ServiceInstance Name="${name}" xmlns="${NS}"><ObjectErrors>${records.join('')}</ObjectErrors></ServiceInstance>`;
}

describe('describeErrorDetail: a serviceProvisioningXmlError errorDetail as one readable line', () => {
  it.each([
    [
      'Exchange',
      instance(
        'exchange/namprd11-001-01',
        record(
          'The proxy address "SMTP:alice@contoso.com" is already being used by the proxy addresses or LegacyExchangeDN of "bob". Please choose another proxy address.',
          'ExDuplicateProxyAddress',
        ),
      ),
      'The proxy address "SMTP:alice@contoso.com" is already being used by the proxy addresses or LegacyExchangeDN of "bob". Please choose another proxy address. (ExDuplicateProxyAddress)',
    ],
    [
      'SharePoint',
      instance(
        'SharePoint/Dublin',
        record('The user principal name is already used by another SharePoint user.', 'SPOUserConflict'),
      ),
      'The user principal name is already used by another SharePoint user. (SPOUserConflict)',
    ],
    [
      'Teams / Lync, no code',
      instance(
        'MicrosoftCommunicationsOnline/NOAM-0M-DMT',
        record(
          'The value of the msRTCSIP-LineURI field in your local Active Directory is not unique, or the WorkPhone filed for the user conflicts with other users.',
        ),
      ),
      'The value of the msRTCSIP-LineURI field in your local Active Directory is not unique, or the WorkPhone filed for the user conflicts with other users.',
    ],
    [
      'several records',
      instance('exchange/x', record('First problem.', 'E1'), record('Second problem.', 'E2')),
      'First problem. (E1) · Second problem. (E2)',
    ],
    [
      'entities and CDATA are decoded, markup inside the description dropped',
      instance(
        'exchange/x',
        record('Tom &amp; Jerry&#39;s &quot;box&quot; &lt;full&gt;', 'E&amp;1'),
        record('<![CDATA[see <b>this</b> now]]>'),
      ),
      'Tom & Jerry\'s "box" (E&1) · see this now',
    ],
    [
      'without the wrapping elements',
      '<ErrorRecord><ErrorDescription>Bare record.</ErrorDescription></ErrorRecord>',
      'Bare record.',
    ],
    ['the docs placeholder <a/>', '<a/>', 'no detail'],
    ['unknown XML', '<Foo><Bar>Something went wrong</Bar><Baz x="1"/></Foo>', 'Something went wrong'],
    ['malformed XML', '<ServiceInstance><ErrorRecord><ErrorDescription>Broken &amp; cut', 'Broken & cut'],
    ['plain text', 'Mailbox   could not\nbe created', 'Mailbox could not be created'],
    ['escaped markup is not shown as markup', '&lt;script&gt;alert(1)&lt;/script&gt; done', 'alert(1) done'],
    ['a DOCTYPE is not expanded', '<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', '&e;'],
    ['control characters', 'a\u0000b\u0007c', 'a b c'],
    ['empty', '', 'no detail'],
    ['only whitespace', '  \n ', 'no detail'],
    ['null', null, 'no detail'],
    ['absent', undefined, 'no detail'],
  ])('%s', (_name, detail, expected) => {
    expect(describeErrorDetail(detail)).toBe(expected);
  });

  it.each([
    ['a huge detail', instance('exchange/x', record('x'.repeat(100_000), 'E1'))],
    ['a long description', instance('exchange/x', record('word '.repeat(200), 'E1'))],
    ['a huge unknown text', `<p>${'y '.repeat(50_000)}`],
  ])('caps %s and never shows markup', (_name, detail) => {
    const text = describeErrorDetail(detail);
    expect(text.length).toBeLessThanOrEqual(MAX_DETAIL_LENGTH);
    expect(text).toMatch(/…$/);
    expect(text).not.toMatch(/[<>]/);
  });
});
