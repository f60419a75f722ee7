"""Seeded synthetic 5W exports for the speed targets (README.md, «Uso»: make bench), in the Spanish format.

Values are drawn per column with numpy (no per-row loop), so a million rows
take seconds to make. Not realistic in detail; realistic in shape: 25 regions,
provinces, 12 months, the catalog's sectors, splits that add up.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from mdrm.catalog import load_catalog

# The Spanish export's headers: the first alias of each field in mdrm/definitions/columnas.yml.
HEADERS = {name: field.aliases[0] for name, field in load_catalog().fields.items()}
REGIONS = ["Tacna", "Lima", "Arequipa", "Tumbes", "La Libertad", "Piura", "Cusco", "Puno", "Ica", "Callao",
           "Lambayeque", "Junín", "Áncash", "Loreto", "Cajamarca", "Moquegua", "Ucayali", "San Martín",
           "Huánuco", "Ayacucho", "Madre de Dios", "Pasco", "Amazonas", "Apurímac", "Huancavelica"]
SECTORS = ["Alojamiento", "Seguridad Alimentaria", "Agua, Saneamiento e Higiene", "Transporte Humanitario",
           "Salud", "Nutrición", "Protección (General)", "Protección (VBG)", "Protección (Protección de la Niñez)",
           "CBI Multipropósito", "Integración", "Educación", "Servicios Comunes (Manejo de Información)"]
ACTIVITIES = ["Comida fría/caliente distribuida (# de raciones diarias)", "Kits de higiene distribuidos (# de kits)",
              "Acompañamiento de casos (# de casos)", "Orientaciones legales brindadas (# de sesiones de orientación)",
              "Consultas de atención primaria de salud (# de consultas)", "Transferencia monetaria multipropósito ($USD distribuidos)",
              "Atenciones psicosociales brindadas (# de atenciones)", "Refrigerios distribuidos (# de refrigerios diarios)"]


def synthetic_5w(rows: int, seed: int = 2020, year: int = 2020) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pick = lambda values: np.asarray(values, dtype=object)[rng.integers(0, len(values), rows)]  # noqa: E731
    new = rng.integers(0, 200, rows)
    total = new + rng.integers(0, 50, rows)
    # population split of new beneficiaries: destination / transit / host
    a = rng.random(rows)
    b = rng.random(rows) * (1 - a)
    perm = np.floor(new * a).astype(int)
    trans = np.floor(new * b).astype(int)
    host = new - perm - trans
    girls = np.floor(new * 0.2).astype(int)
    boys = np.floor(new * 0.2).astype(int)
    women = np.floor(new * 0.35).astype(int)
    men = new - girls - boys - women
    cva = rng.random(rows) < 0.1
    frame = pd.DataFrame({
        "country": "Peru",
        "admin1": pick(REGIONS),
        "admin2": pick([f"Provincia {i}" for i in range(1, 9)] + [""]),
        "appealing_org": pick([f"Organización {i:03d}" for i in range(120)]),
        "implementation_setup": pick(["Si", "No"]),
        "implementing_partner": pick([""] * 3 + [f"Socio {i:03d}" for i in range(60)]),
        "month": pick([f"{year}-{m:02d}" for m in range(1, 13)]),
        "sector": pick(SECTORS),
        "indicator": "",
        "activity_name": pick(ACTIVITIES + [f"Actividad {i}" for i in range(40)]),
        "activity_description": "",
        "rmrp_activity": np.where(rng.random(rows) < 0.95, "Si", "No"),
        "cva": np.where(cva, "Si", "No"),
        "cva_value_usd": np.where(cva, rng.integers(50, 5000, rows), 0),
        "delivery_mechanism": "",
        "quantity": rng.integers(0, 500, rows),
        "total_monthly": total, "new_beneficiaries": new,
        "permanencia": perm, "transito": trans, "acogida": host, "pendulares": 0, "retornados": 0,
        "ninas": girls, "ninos": boys, "mujeres": women, "hombres": men, "otros_menores": 0, "otros_adultos": 0,
    })
    return frame.rename(columns=HEADERS)


def synthetic_regional_5w(rows: int, months: int = 5, seed: int = 2021, year: int = 2021) -> pd.DataFrame:
    """R4V's regional export in shape: the 17 countries of the response, each with its own admin1s
    (6 to 12), `months` months from January; the rest as `synthetic_5w`."""
    catalog = load_catalog()
    frame = synthetic_5w(rows, seed=seed, year=year)
    rng = np.random.default_rng(seed + 1)
    countries = [names[-1] for names in catalog.countries.values()]  # the English (or only) name
    country = rng.integers(0, len(countries), rows)
    admin1s = rng.integers(0, 6 + country % 7)  # 6..12 admin1s, by country
    labels = np.array([f"{c} región {i:02d}" for c in countries for i in range(12)], dtype=object)
    frame[HEADERS["country"]] = np.asarray(countries, dtype=object)[country]
    frame[HEADERS["admin1"]] = labels[country * 12 + admin1s]
    frame[HEADERS["month"]] = np.asarray([f"{year}-{m:02d}" for m in range(1, months + 1)],
                                         dtype=object)[rng.integers(0, months, rows)]
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description="Escribe un 5W sintético (semilla fija).")
    parser.add_argument("rows", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()
    frame = synthetic_5w(args.rows, args.seed)
    if args.output.suffix == ".xlsx":
        frame.to_excel(args.output, index=False, sheet_name="5W")
    else:
        frame.to_csv(args.output, index=False)


if __name__ == "__main__":
    main()
