// The two boards the sandbox starts with, as on Monday: column ids, titles and types from the
// Customer Master Schedule board metadata (items 9200517329, subitems 9200771505). The metadata holds no
// labels or groups; the few below are those known from the current system (dropdown ids, status indices,
// group ids), so writes by label behave like on the real board.

/** [column id, title, Monday column type] */
export type ColumnSeed = readonly [id: string, title: string, type: string];

export interface BoardSeed {
  id: string;
  name: string;
  type: 'board' | 'sub_items_board';
  itemsLimit: number;
  columns: readonly ColumnSeed[];
  /** Existing dropdown/status labels per column: label id (status: index) → label. */
  labels: Record<string, Record<number, string>>;
  groups: readonly { id: string; title: string }[];
}

export const ITEMS_BOARD_ID = '9200517329';
export const SUBITEMS_BOARD_ID = '9200771505';
/** The items board's subitems column: its settings.boardIds name the subitems board. */
export const SUBTASKS_COLUMN_ID = 'subtasks_mkr5c0kp';
/** The order-line key column (matchAlias), shown in the HTML view and used for look-ups. */
export const KEY_COLUMN_ID = 'text_mkr61hpz';

export const BOARDS: readonly BoardSeed[] = [
  {
    id: ITEMS_BOARD_ID,
    name: 'Customer Master Schedule',
    type: 'board',
    itemsLimit: 10000,
    columns: [
      ['name', 'Name', 'name'],
      ['subtasks_mkr5c0kp', 'Subitems', 'subtasks'],
      ['dropdown_mkr518fc', 'ORDER TYPE', 'dropdown'],
      ['lookup_mkrbrdr1', 'QTY ORDERED', 'mirror'],
      ['lookup_mkrdm6xp', 'QTY PACKED', 'mirror'],
      ['lookup_mkrds06t', 'QTY SHIPPED', 'mirror'],
      ['dropdown_mkr542p2', 'CUSTOMER', 'dropdown'],
      ['text_mkr5wya6', 'AAG ORDER NUMBER', 'text'],
      ['dropdown_mkr58de6', 'AAG SEASON', 'dropdown'],
      ['dropdown_mkr5rgs6', 'CUSTOMER SEASON', 'dropdown'],
      ['date_mkr5zp5', 'ORDER DATE PO RECEIVED', 'date'],
      ['dropdown_mkr5w5e', 'DROP', 'dropdown'],
      ['text_mkr5ej2x', 'PO NUMBER', 'text'],
      ['text_mkrh94rx', 'CUSTOMER ALT PO', 'text'],
      ['dropdown_mkr5tgaa', 'STYLE', 'dropdown'],
      ['text_mkr5cz8m', 'PATTERN ID', 'text'],
      ['text_mkrhra2c', 'ALIAS RELATED ITEM', 'text'],
      ['long_text_mkr5p0cf', 'STYLE DESCRIPTION', 'long_text'],
      ['dropdown_mkr5677f', 'COLOR', 'dropdown'],
      ['dropdown_mkr5s5n3', 'CATEGORY', 'dropdown'],
      ['color_mkr5yf27', 'UNIT OF MEASURE', 'status'],
      ['text_mkr5kbc6', 'DESTINATION', 'text'],
      ['text_mkr5ps35', 'DESTINATION WAREHOUSE', 'text'],
      ['date_mkr554yz', 'CUSTOMER REQ IN DC DATE', 'date'],
      ['date_mkr57811', 'CUSTOMER EX FACTORY DATE', 'date'],
      ['dropdown_mkr5kk5', 'DELIVERY TERMS', 'dropdown'],
      ['text_mkr5wcpw', 'PLANNED DELIVERY METHOD', 'text'],
      ['long_text_mkr5hass', 'NOTES', 'long_text'],
      ['numeric_mkr5cact', 'CUSTOMER PRICE', 'numbers'],
      ['numeric_mkr5yne4', 'USA ONLY LSTP 75% EX WORKS', 'numbers'],
      ['numeric_mkr5erhv', 'EX WORKS (USD)', 'numbers'],
      ['numeric_mkr5k68', 'ADMINISTRATION FEE', 'numbers'],
      ['numeric_mkr5h612', 'DESIGN FEE', 'numbers'],
      ['numeric_mkr5gp6a', 'FX CHARGE', 'numbers'],
      ['text_mkr5s3tm', 'HANDLING', 'text'],
      ['numeric_mkr57cem', 'SURCHARGE FEE', 'numbers'],
      ['numeric_mkr56xx8', 'DISCOUNT', 'numbers'],
      ['numeric_mkr5nhr7', 'FINAL FOB (USD)', 'numbers'],
      ['dropdown_mkr5k8yn', 'HS CODE', 'dropdown'],
      ['numeric_mkr5r6at', 'US DUTY RATE', 'numbers'],
      ['numeric_mkr5ev2q', 'US DUTY', 'numbers'],
      ['numeric_mksfr0r2', 'FREIGHT', 'numbers'],
      ['numeric_mkr55zg1', 'US TARIFF RATE', 'numbers'],
      ['numeric_mkr51ndy', 'US TARIFF', 'numbers'],
      ['numeric_mkr5js0x', 'DDP US (USD)', 'numbers'],
      ['numeric_mkr58nvp', 'SMS PRICE USD', 'numbers'],
      ['text_mkr5ptvg', 'FINAL PRICES Y/N', 'text'],
      ['long_text_mkr5znxn', 'NOTES FOR PRICE', 'long_text'],
      ['pulse_id_mkr5pb5q', 'Item ID', 'item_id'],
      ['text_mkr61hpz', 'matchAlias', 'text'],
      ['board_relation_mkr5cer8', 'PLANNING BOARD', 'board_relation'],
      ['lookup_mkr6113x', 'EX-FTY (Change Request)', 'mirror'],
      ['lookup_mkr6eatd', 'REQUESTED XFD STATUS', 'mirror'],
      ['lookup_mkr6bhyv', 'EX-FTY (Forecast)', 'mirror'],
      ['lookup_mkr640ap', 'EX-FTY (Partner PO)', 'mirror'],
      ['lookup_mkr5nd5t', 'EX-FTY (Revised LS)', 'mirror'],
      ['lookup_mkr5j8kx', 'PRODUCTION TYPE', 'mirror'],
      ['lookup_mkr51rn0', 'AQL INSPECTION', 'mirror'],
      ['lookup_mkr5jem9', 'AQL TYPE', 'mirror'],
      ['lookup_mkr5bnt8', 'PLANNED CUT DATE', 'mirror'],
      ['lookup_mkr5ew17', 'MO NUMBER', 'mirror'],
      ['lookup_mkr5aapc', 'PRODUCTION STATUS', 'mirror'],
      ['lookup_mkr5yabx', 'FACTORY COUNTRY', 'mirror'],
      ['lookup_mkr55sr9', 'FACTORY', 'mirror'],
      ['lookup_mkr5hhjy', 'ALLOCATION STATUS', 'mirror'],
      ['lookup_mkr5fkj1', 'PRODUCTION QTY', 'mirror'],
      ['lookup_mkr53kbm', 'TRIM ETA DATE', 'mirror'],
      ['lookup_mkr5vk6m', 'FABRIC ETA DATE', 'mirror'],
      ['lookup_mkr52fpd', 'TRIM STATUS', 'mirror'],
      ['lookup_mkr5k4yj', 'FABRIC STATUS', 'mirror'],
      ['color_mkr5j5pp', 'ORDER STATUS', 'status'],
      ['numeric_mkrb56rj', 'FCST QTY', 'numbers'],
      ['numeric_mkrbty8b', 'FCST CONSUMED QTY', 'numbers'],
      ['formula_mkrb53jx', 'Net Demand', 'formula'],
      ['formula_mkrd937j', 'REVENUE (FOB)', 'formula'],
      ['color_mkrerxrs', 'ADD TO PLANNING', 'status'],
      ['formula_mkre54dj', 'ORDER QTY', 'formula'],
      ['formula_mkrea5pd', 'PACKED QTY', 'formula'],
      ['formula_mkre5ce5', 'SHIPPED QTY', 'formula'],
      ['date_mkrvx550', 'PPS CMT DUE', 'date'],
      ['date_mkrvpbcr', 'PPS CMT RCV', 'date'],
      ['color_mkrvzryf', 'PPS STATUS', 'status'],
      ['long_text_mks0vs1p', 'RANGE / COLLECTION', 'long_text'],
      ['pulse_updated_mks8qpqh', 'Last updated', 'last_updated'],
    ],
    labels: {
      // The board's customer labels: every canonical customer (the mapping may not create new ones).
      dropdown_mkr542p2: {
        100: 'ACTIVELY BLACK', 101: 'AESCAPE', 102: 'AIME LEON DORE', 103: 'AJE',
        104: 'ALWRLD', 105: 'ASHER GOLF', 106: 'ASRV', 107: 'B\'HOOD',
        108: 'BAD BIRDIE', 109: 'BANDIER', 110: 'BANDIT RUNNING', 111: 'BC BRANDS',
        112: 'BEAU HUDSON', 113: 'BOGGI', 114: 'BORN PRIMITIVE', 115: 'CAMILLA',
        116: 'CUTS CLOTHING', 117: 'DAVID JONES(UNE PIECE)', 118: 'DSSLR', 119: 'EDWONDER',
        120: 'EQUINOX', 121: 'EXOTICA', 122: 'FARADAY LABS, INC (LAMBS)', 123: 'FEETURES',
        124: 'G FORE', 20: 'GREYSON', 19: 'JOHNNIE O', 125: 'JOHNNY WAS',
        126: 'LAMBS', 127: 'LORNA JANE', 128: 'MACK WELDON', 21: 'PELOTON',
        129: 'RARE', 130: 'REC GEN', 131: 'RHONE', 132: 'RHYTHM',
        133: 'RYDERWEAR', 134: 'SEISSENSE', 135: 'SOUL CYCLE', 136: 'SPIRITUAL GANGSTER',
        137: 'STARLIGHT', 138: 'STARLIGHT CHILDREN\'S FOUNDATION (AU)', 139: 'SUMMERSALT', 140: 'SUN DAY RED',
        141: 'TAYLOR MADE', 142: 'TELFAR', 143: 'TITLE NINE', 144: 'TRACK SMITH',
        145: 'UNE PIECE', 22: 'WHITE FOX',
      },
      dropdown_mkr518fc: { 1: 'RECEIVED', 2: 'CANCELLED', 3: 'REBUY' },
      dropdown_mkr58de6: { 1: '2026 SPRING', 2: '2025 FALL' },
      dropdown_mkr5rgs6: { 4: 'SPRING SUMMER 2026' },
      dropdown_mkr5tgaa: { 35: 'JWHD100120' },
      dropdown_mkr5677f: { 0: 'WHITE', 1: 'NAVY', 2: 'BLACK' },
      dropdown_mkr5s5n3: { 1: 'WOMENS' },
      dropdown_mkr5kk5: { 1: 'FOB', 2: 'DDP' },
      color_mkr5j5pp: { 5: '', 7: '00 PLANNING' },
      color_mkr5yf27: { 5: '', 7: 'PCE' },
      color_mkrerxrs: { 5: '' },
      color_mkrvzryf: { 5: '' },
    },
    groups: [
      { id: 'topics', title: 'Group Title' },
      { id: 'group_mkranjfa', title: 'GREYSON 2026 SPRING' },
    ],
  },
  {
    id: SUBITEMS_BOARD_ID,
    name: 'Subitems of Customer Master Schedule',
    type: 'sub_items_board',
    itemsLimit: 100000,
    columns: [
      ['name', 'Name', 'name'],
      ['dropdown_mkrak7qp', 'Size', 'dropdown'],
      ['numeric_mkra7j8e', 'Order Qty', 'numbers'],
      ['numeric_mkrbgdat', 'Cut Qty', 'numbers'],
      ['numeric_mkrc5ryb', 'Sew Qty', 'numbers'],
      ['numeric_mkrc7jfj', 'Finishing Qty', 'numbers'],
      ['numeric_mkrcq53k', 'Received not Shipped Qty', 'numbers'],
      ['numeric_mkraepx7', 'Packed Qty', 'numbers'],
      ['numeric_mkrapgwv', 'Shipped Qty', 'numbers'],
      ['color_mkrbezbh', 'ORDER LINE STATUS', 'status'],
      ['pulse_id_mkrag4a3', 'Item ID', 'item_id'],
    ],
    labels: {
      dropdown_mkrak7qp: { 1: 'XS', 2: 'S', 3: 'M', 4: 'L', 5: 'XL', 6: '2XL', 57: 'OS', 58: 'ONE SIZE' },
      color_mkrbezbh: { 5: '' },
    },
    groups: [{ id: 'topics', title: 'Subitems' }],
  },
];
