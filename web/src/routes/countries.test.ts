import { describe, expect, it } from 'vitest';
import { geoContains } from 'd3-geo';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json';
import corridorFile from '../../../data/routes/corridors.json';
import { alpha3OfNumeric, countryCodes } from './countries';
import en from './i18n/en.json';

// The corridors the server knows (data/routes/corridors.json): every country of every corridor,
// the ones the demo fills included, must have a place on the map.
const catalogue = corridorFile as { corridors: { id: string; countries: string[] }[] };

const geometries = (world as unknown as { objects: { countries: { geometries: { id?: string; properties: { name: string } }[] } } })
  .objects.countries.geometries;
const shapeIds = new Set(geometries.map((g) => g.id).filter(Boolean));
// Countries too small for the 110m map, or without an ISO numeric code there.
const NO_SHAPE = ['MLT', 'XKX'];

describe('country codes', () => {
  const countries = [...new Set(catalogue.corridors.flatMap((c) => c.countries))].sort();

  it('reads the corridor catalogue', () => {
    expect(catalogue.corridors.map((c) => c.id)).toContain('central_mediterranean');
    expect(countries.length).toBeGreaterThan(40);
  });

  it('names every corridor in the module strings', () => {
    for (const c of catalogue.corridors) expect(en, c.id).toHaveProperty([`routes.corridor.${c.id}`]);
  });

  it('maps every corridor country to a world-atlas shape and an anchor', () => {
    for (const a3 of countries) {
      const codes = countryCodes(a3);
      expect(codes, a3).not.toBeNull();
      expect(codes!.anchor, `${a3} anchor`).not.toBeNull();
      if (NO_SHAPE.includes(a3)) expect(codes!.numeric, a3).toBe('');
      else expect(shapeIds.has(codes!.numeric), `${a3} -> ${codes!.numeric} in world-atlas`).toBe(true);
    }
  });

  it('uses the standard numeric codes (checked against the names world-atlas gives)', () => {
    const name = (id: string) => geometries.find((g) => g.id === id)?.properties.name;
    expect(name(countryCodes('LBY')!.numeric)).toBe('Libya');
    expect(name(countryCodes('ESH')!.numeric)).toBe('W. Sahara');
    expect(name(countryCodes('CIV')!.numeric)).toBe("Côte d'Ivoire");
    expect(name(countryCodes('MKD')!.numeric)).toBe('Macedonia');
    expect(name(countryCodes('TUR')!.numeric)).toBe('Turkey');
    expect(alpha3OfNumeric('380')).toBe('ITA');
  });

  it('puts every anchor inside its own country, and numeric codes are unique', () => {
    const topo = world as unknown as Topology;
    const shapes = feature(topo, topo.objects.countries) as unknown as GeoJSON.FeatureCollection;
    const numerics = new Set<string>();
    for (const a3 of countries) {
      const c = countryCodes(a3)!;
      if (!c.numeric) continue;
      expect(numerics.has(c.numeric), c.numeric).toBe(false);
      numerics.add(c.numeric);
      const shape = shapes.features.find((f) => f.id === c.numeric)!;
      expect(geoContains(shape, c.anchor!), `${a3} anchor ${c.anchor} inside its shape`).toBe(true);
    }
  });
});
