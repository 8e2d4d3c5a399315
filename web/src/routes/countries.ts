// Countries as the map needs them. The API speaks ISO 3166-1 alpha-3; world-atlas names its
// shapes by ISO 3166-1 numeric code; Intl.DisplayNames names countries by alpha-2. The anchor is
// where a corridor's arcs meet in the country (a point near its centre, or near the part the
// routes cross: European Russia, metropolitan France), as [longitude, latitude].
import { currentLocale } from '../i18n';

export interface CountryCodes {
  alpha2: string;
  /** world-atlas id; '' where the 110m map has no shape of its own (Malta, Kosovo). */
  numeric: string;
  anchor: [number, number] | null;
}

// alpha-3: [alpha-2, numeric, longitude, latitude]; anchors only for corridor countries.
const TABLE: Record<string, [string, string, number?, number?]> = {
  AFG: ['AF', '004', 66.0, 33.9],
  ALB: ['AL', '008', 20.0, 41.1],
  AUT: ['AT', '040', 14.5, 47.5],
  BEL: ['BE', '056', 4.6, 50.6],
  BFA: ['BF', '854', -1.6, 12.3],
  BGD: ['BD', '050'],
  BGR: ['BG', '100', 25.3, 42.7],
  BIH: ['BA', '070', 17.8, 44.2],
  BLR: ['BY', '112', 28.0, 53.5],
  CIV: ['CI', '384', -5.5, 7.6],
  CMR: ['CM', '120'],
  COD: ['CD', '180'],
  CYP: ['CY', '196', 33.2, 35.0],
  DZA: ['DZ', '012', 3.0, 28.5],
  EGY: ['EG', '818'],
  ERI: ['ER', '232'],
  ESH: ['EH', '732', -12.2, 24.3],
  ESP: ['ES', '724', -3.7, 40.2],
  EST: ['EE', '233', 25.5, 58.7],
  FIN: ['FI', '246', 26.0, 62.5],
  FRA: ['FR', '250', 2.3, 46.6],
  GBR: ['GB', '826', -1.5, 52.8],
  GEO: ['GE', '268', 43.5, 42.2],
  GHA: ['GH', '288'],
  GIN: ['GN', '324', -10.9, 10.4],
  GMB: ['GM', '270', -15.4, 13.45],
  GNB: ['GW', '624', -15.0, 12.0],
  GRC: ['GR', '300', 22.0, 39.5],
  HRV: ['HR', '191', 16.0, 45.3],
  HUN: ['HU', '348', 19.4, 47.2],
  IRN: ['IR', '364', 54.0, 32.5],
  IRQ: ['IQ', '368'],
  ITA: ['IT', '380', 12.5, 42.5],
  LBY: ['LY', '434', 17.0, 28.0],
  LTU: ['LT', '440', 23.9, 55.3],
  LVA: ['LV', '428', 24.8, 56.9],
  MAR: ['MA', '504', -6.5, 32.0],
  MDA: ['MD', '498', 28.5, 47.0],
  MKD: ['MK', '807', 21.7, 41.6],
  MLI: ['ML', '466', -2.0, 17.5],
  MLT: ['MT', '', 14.4, 35.9],
  MNE: ['ME', '499', 19.3, 42.8],
  MRT: ['MR', '478', -10.5, 20.3],
  NER: ['NE', '562', 8.5, 17.0],
  NGA: ['NG', '566', 8.0, 9.6],
  NLD: ['NL', '528', 5.5, 52.2],
  PAK: ['PK', '586'],
  POL: ['PL', '616', 19.4, 52.0],
  ROU: ['RO', '642', 25.0, 45.9],
  RUS: ['RU', '643', 37.6, 55.8],
  SDN: ['SD', '729'],
  SEN: ['SN', '686', -14.5, 14.5],
  SRB: ['RS', '688', 20.8, 44.0],
  SVK: ['SK', '703', 19.5, 48.7],
  SVN: ['SI', '705', 14.8, 46.1],
  SYR: ['SY', '760', 38.5, 35.0],
  TGO: ['TG', '768', 1.0, 8.6],
  TUN: ['TN', '788', 9.5, 34.0],
  TUR: ['TR', '792', 35.0, 39.0],
  UKR: ['UA', '804', 31.0, 49.0],
  XKX: ['XK', '', 20.9, 42.6],
};

export function countryCodes(alpha3: string): CountryCodes | null {
  const row = TABLE[alpha3];
  if (!row) return null;
  const [alpha2, numeric, lon, lat] = row;
  return { alpha2, numeric, anchor: lon === undefined || lat === undefined ? null : [lon, lat] };
}

/** alpha-3 of a world-atlas id, for the countries in the table. */
export function alpha3OfNumeric(numeric: string): string | null {
  for (const [a3, row] of Object.entries(TABLE)) if (row[1] === numeric) return a3;
  return null;
}

const names = new Map<string, Intl.DisplayNames | null>();

/** The country's name in the current language; the code itself when unknown. */
export function countryName(alpha3: string): string {
  const locale = currentLocale();
  if (!names.has(locale)) {
    try {
      names.set(locale, new Intl.DisplayNames([locale], { type: 'region' }));
    } catch {
      names.set(locale, null);
    }
  }
  const codes = countryCodes(alpha3);
  const display = names.get(locale);
  if (!codes || !display) return alpha3;
  try {
    return display.of(codes.alpha2) ?? alpha3;
  } catch {
    return alpha3;
  }
}
