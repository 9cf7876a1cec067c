// Public API of the mapping: load the file, turn rows into Monday payloads, check against boards.
export { DEFAULT_MAPPING_FILE, loadMapping, parseMapping } from './load';
export { CLEAR_VALUES, clearedColumns, createTransform, orderKeyOf, previewRows, KEY_SEPARATOR } from './transform';
export { checkMappingAgainstBoards, boardLabels, boardLabelIds, boardLabelCount } from './board-check';
export type { BoardColumn, BoardColumns, BoardCheckResult } from './board-check';
export { MappingError, MappingConfigError } from './errors';
export { mappedSourceColumns } from './source-columns';
export { COLUMN_TYPES, labelCeilingOf } from './schema';
export type { ColumnMapping, ColumnType, Mapping, SourceColumnType } from './schema';
