// Typed parameters. Every string used to travel as NVARCHAR(MAX) and every integer as BIGINT: a comparison with an
// NVARCHAR(450) key or an INT column then converts per row instead of seeking. Short text goes as NVARCHAR(4000)
// (one plan for every length: the declared length is part of the cached plan's signature), integers as INT when
// they fit.
import sql from 'mssql';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

export function sqlParameter(value: string | number | null): sql.ISqlType | (() => sql.ISqlType) {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return sql.Float;
    return value >= INT_MIN && value <= INT_MAX ? sql.Int : sql.BigInt;
  }
  return value !== null && value.length > 4000 ? sql.NVarChar(sql.MAX) : sql.NVarChar(4000);
}
