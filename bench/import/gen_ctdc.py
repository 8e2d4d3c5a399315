#!/usr/bin/env python3
"""Writes N synthetic CTDC-format rows (the 2024 columns plus the CTIS identifier columns) to
stdout, the same on every run: a fixed seed and our own generator (splitmix64), no data from
anywhere else. Used by run.sh to benchmark `ctis case import`.

    gen_ctdc.py [ROWS] [SEED]      (default 100000 rows, seed 1)
"""
import sys

MASK = (1 << 64) - 1


class Random:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def chance(self, percent):
        return self.below(100) < percent

    def pick(self, seq):
        return seq[self.below(len(seq))]


GENDERS = ["Man", "Woman", "Woman", "Woman", "Man", "Trans/Transgender/NonConforming"]
BANDS = ["0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"]
MONTHS = ["0--12 (0-1 yr)", "13--24 (1-2 yrs)", "25+ (2+ yrs)"]
ORIGINS = ["NGA", "ERI", "SYR", "VEN", "MMR", "NPL", "UKR", "HND", "VNM", "ETH", "PHL", "KHM",
           "ROU", "BGR", "ALB", "IDN", "BGD", "UZB", "MDA", "GHA"]
DESTINATIONS = ["ITA", "LBY", "TUR", "GRC", "COL", "THA", "IND", "POL", "USA", "GBR", "LBN",
                "SAU", "MYS", "DEU", "ESP", "FRA", "RUS", "ARE", "KAZ", "NLD"]
FLAGS = [
    "meansDebtBondageEarnings", "meansThreats", "meansAbusePsyPhySex", "meansFalsePromises",
    "meansDrugsAlcohol", "meansDenyBasicNeeds", "meansExcessiveWorkHours", "meansWithholdDocs",
    "isForcedLabour", "isSexualExploit", "isOtherExploit",
    "typeOfLabourAgriculture", "typeOfLabourConstruction", "typeOfLabourDomesticWork",
    "typeOfLabourHospitality", "typeOfSexProstitution", "typeOfSexPornography",
    "recruiterRelationIntimatePartner", "recruiterRelationFriend", "recruiterRelationFamily",
    "recruiterRelationOther",
]
HEADER = (["yearOfRegistration", "gender", "ageBroad", "citizenship", "CountryOfExploitation",
           "traffickMonths"] + FLAGS + ["given_name", "family_name", "birth_date",
                                        "document_number"])
# Syllables for invented names.
SYLLABLES = ["a", "ba", "da", "e", "fa", "ga", "ha", "i", "ka", "la", "ma", "na", "o", "ra",
             "sa", "ta", "u", "va", "ya", "za", "mi", "lo", "ne", "ri", "so", "tu"]


def name(rnd, parts):
    return "".join(rnd.pick(SYLLABLES) for _ in range(parts)).capitalize()


def row(rnd):
    year = 2005 + rnd.below(20)
    cells = {
        "yearOfRegistration": str(year),
        "gender": rnd.pick(GENDERS),
        "citizenship": rnd.pick(ORIGINS),
        "CountryOfExploitation": rnd.pick(DESTINATIONS),
        "traffickMonths": rnd.pick(MONTHS) if rnd.chance(80) else "",
        "given_name": name(rnd, 2 + rnd.below(2)),
        "family_name": name(rnd, 2 + rnd.below(3)),
        "document_number": "X%08d" % rnd.below(10**8) if rnd.chance(50) else "",
    }
    if rnd.chance(50):
        # Born before registration; the age band then follows from the birth date.
        born = year - 10 - rnd.below(45)
        cells["birth_date"] = "%04d-%02d-%02d" % (born, 1 + rnd.below(12), 1 + rnd.below(28))
        cells["ageBroad"] = ""
    else:
        cells["birth_date"] = ""
        cells["ageBroad"] = rnd.pick(BANDS)
    sexual = rnd.chance(45)
    cells["isSexualExploit"] = "1" if sexual else ""
    cells["isForcedLabour"] = "" if sexual and rnd.chance(85) else "1"
    if cells["isForcedLabour"]:
        cells[rnd.pick(FLAGS[11:15])] = "1"
    if sexual:
        cells["typeOfSexProstitution" if rnd.chance(90) else "typeOfSexPornography"] = "1"
    for flag in FLAGS[:8]:
        if rnd.chance(30):
            cells[flag] = "1"
    if rnd.chance(70):
        cells[rnd.pick(FLAGS[17:])] = "1"
    return ",".join(cells.get(column, "") for column in HEADER)


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rnd = Random(seed)
    out = sys.stdout
    out.write(",".join(HEADER) + "\r\n")
    for _ in range(rows):
        out.write(row(rnd) + "\r\n")


if __name__ == "__main__":
    main()
