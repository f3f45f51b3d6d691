import { describe, expect, it } from 'vitest';
import { CsvError, csvField, parseCsv, toCsv } from './csv';

describe('CSV', () => {
  it('quotes only the fields that need it, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('carriage\rreturn')).toBe('"carriage\rreturn"');
    expect(csvField('{"email":"a@b.test"}')).toBe('"{""email"":""a@b.test""}"');
  });

  it('keeps spreadsheets from running a field as a formula', () => {
    expect(csvField('=HYPERLINK("http://evil.test")')).toBe('"\'=HYPERLINK(""http://evil.test"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('-1-1')).toBe("'-1-1");
    expect(csvField('-')).toBe("'-");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('a=b')).toBe('a=b');
  });

  it('leaves a negative number alone, for a spreadsheet to read as a number', () => {
    expect(csvField('-2')).toBe('-2');
    expect(csvField('-20.94')).toBe('-20.94');
  });

  it('ends every record with CRLF, header first', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['1', null],
          ['x,y', 'z'],
        ],
      ),
    ).toBe('a,b\r\n1,\r\n"x,y",z\r\n');
    expect(toCsv(['a'], [])).toBe('a\r\n');
  });
});

describe('reading CSV', () => {
  it('reads quoted fields, doubled quotes, line breaks inside quotes, CRLF and LF, and names each record’s line', () => {
    const text =
      '\uFEFFcode,name,notes\r\nA1,"Tomatoes, cherry","say ""hi"""\r\nB2,Milk,"two\nlines"\n\nC3,Eggs,\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['code', 'name', 'notes'] },
      { line: 2, fields: ['A1', 'Tomatoes, cherry', 'say "hi"'] },
      { line: 3, fields: ['B2', 'Milk', 'two\nlines'] },
      { line: 6, fields: ['C3', 'Eggs', ''] },
    ]);
  });

  it('takes the semicolons a European spreadsheet writes', () => {
    expect(parseCsv('code;price\nA1;2,99\n')).toEqual([
      { line: 1, fields: ['code', 'price'] },
      { line: 2, fields: ['A1', '2,99'] },
    ]);
  });

  it('reads back what it wrote, formula guards included', () => {
    const rows = [
      ['=SUM(A1)', 'a, b', 'line\r\nbreak'],
      ['-5', '"quoted"', ''],
    ];
    expect(parseCsv(toCsv(['x', 'y', 'z'], rows)).map((record) => record.fields)).toEqual([
      ['x', 'y', 'z'],
      ...rows,
    ]);
  });

  it('names the line of a quote never closed', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(
      new CsvError('a quoted field opened on line 2 is never closed', 2),
    );
  });
});
