import { readFileSync } from 'node:fs';

import { defaultRegistry } from '../../src/domain/actions/registry';
import { readCsdl } from './csdl';
import { loadDescription, Model } from './description';
import { resolvePath } from './graph-path';
import { GRAPH_SURFACE, type GraphCall } from './graph-surface';
import {
  currentGraphSection,
  graphSection,
  grants,
  manifestPermissions,
  README_PATH,
} from './readme-section';
import { sliceDescription } from './slice';
import { systemClock } from '../../src/infra/clock';

const description = loadDescription();
const segmentsOf = (c: GraphCall) => c.path.split('/').filter(Boolean);

describe('the product surface and the vendored description', () => {
  it.each(GRAPH_SURFACE.map((c) => [`${c.method} /${c.version}${c.path}`, c] as const))(
    '%s resolves in the vendored description',
    (_name, call) => {
      const model = new Model(call.version, description.versions[call.version]);
      expect(resolvePath(model, segmentsOf(call)).template).toBe(call.path);
    },
  );

  it('records which commit of msgraph-metadata each version was cut from', () => {
    for (const v of ['v1.0', 'beta'] as const) {
      expect(description.sources[v].commit).toMatch(/^[0-9a-f]{40}$/);
      expect(description.sources[v].file).toBe(`schemas/${v}-Prod.csdl`);
    }
  });

  it("the README's Graph section is the one generated from the surface", () => {
    expect(currentGraphSection(readFileSync(README_PATH, 'utf8'))).toBe(graphSection(description));
  });

  it.each(
    GRAPH_SURFACE.filter((c) => c.path !== '/$batch').map((c) => [`${c.method} ${c.path}`, c] as const),
  )('the app registration holds a permission the page accepts for %s', (_name, call) => {
    const granted = manifestPermissions();
    if (call.identity !== 'approver') {
      expect(call.application?.some((o) => grants(granted.application, o))).toBe(true);
    }
    if (call.identity !== 'app') {
      expect(call.delegated?.some((o) => grants(granted.delegated, o))).toBe(true);
    }
  });

  it.each(defaultRegistry(systemClock).actions.map((a) => [a.name, a] as const))(
    "%s declares a delegated permission its write's page accepts",
    (name, action) => {
      const write = GRAPH_SURFACE.find((c) => c.purpose === name && c.method === 'POST');
      expect(write?.delegated).toContain(action.permission);
      expect(write?.version).toBe(action.graphVersion);
    },
  );
});

describe('the generator cuts the slice the calls need', () => {
  const csdl = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="colour"><Member Name="red" Value="0" /><Member Name="blue" Value="1" /></EnumType>
      <ComplexType Name="problem" Abstract="true"><Property Name="at" Type="Edm.DateTimeOffset" /></ComplexType>
      <ComplexType Name="xmlProblem" BaseType="graph.problem"><Property Name="detail" Type="Edm.String" /></ComplexType>
      <ComplexType Name="unused"><Property Name="x" Type="Edm.String" /></ComplexType>
      <EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id" /></Key><Property Name="id" Type="Edm.String" Nullable="false" /></EntityType>
      <EntityType Name="user" BaseType="graph.entity">
        <Property Name="colour" Type="graph.colour" />
        <Property Name="problems" Type="Collection(graph.problem)" Nullable="false" />
        <Property Name="photo" Type="graph.notInThisFile" />
        <NavigationProperty Name="manager" Type="graph.user" />
        <Annotation Term="Org.OData.Core.V1.AlternateKeys"><Collection><Record Type="Org.OData.Core.V1.AlternateKey"><PropertyValue Property="Key"><Collection><Record Type="Org.OData.Core.V1.PropertyRef"><PropertyValue Property="Alias" String="upn" /><PropertyValue Property="Name" PropertyPath="upn" /></Record></Collection></PropertyValue></Record></Collection></Annotation>
      </EntityType>
      <EntityType Name="group" BaseType="graph.entity" />
      <Action Name="retry" IsBound="true"><Parameter Name="bindingParameter" Type="graph.user" Nullable="false" /></Action>
      <Action Name="wipe" IsBound="true"><Parameter Name="bindingParameter" Type="graph.user" Nullable="false" /></Action>
      <EntityContainer Name="GraphService">
        <EntitySet Name="users" EntityType="microsoft.graph.user" />
        <EntitySet Name="groups" EntityType="microsoft.graph.group" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;
  const call = (path: string, method: 'GET' | 'POST' = 'GET'): GraphCall => ({
    method,
    version: 'v1.0',
    path,
    identity: 'app',
    purpose: 'test',
    page: 'https://example.invalid',
  });
  const slice = sliceDescription(readCsdl(csdl), 'v1.0', [
    call('/users/{id}'),
    call('/users/{id}/retry', 'POST'),
  ]);

  it('keeps the entity sets, types and operations on the paths, with base and derived types', () => {
    expect(Object.keys(slice.entitySets)).toEqual(['users']);
    expect(Object.keys(slice.types)).toEqual([
      'microsoft.graph.colour',
      'microsoft.graph.entity',
      'microsoft.graph.problem',
      'microsoft.graph.user',
      'microsoft.graph.xmlProblem',
    ]);
    expect(slice.operations.map((o) => o.name)).toEqual(['retry']);
    expect(slice.opaque).toEqual(['microsoft.graph.notInThisFile']);
  });

  it('reads types, nullability, collections, enum members and alternate keys as the CSDL states them', () => {
    const user = slice.types['microsoft.graph.user'];
    expect(user?.properties?.['problems']).toEqual({
      type: 'microsoft.graph.problem',
      collection: true,
      nonNullable: true,
    });
    expect(user?.navigation?.['manager']).toEqual({ type: 'microsoft.graph.user' });
    expect(user?.alternateKeys).toEqual(['upn']);
    expect(slice.types['microsoft.graph.colour']?.members).toEqual(['red', 'blue']);
    expect(slice.types['microsoft.graph.entity']?.properties?.['id']).toEqual({
      type: 'Edm.String',
      nonNullable: true,
    });
  });
});
