import { describe, expect, test } from '@jest/globals'
import { fitChars, utf8Bytes } from '../../../src/report/budget.js'
import {
  clip,
  escapeHtml,
  escapeMarkdown,
  escapeMrkdwn,
  escapeTableCell,
  fence,
  oneLine,
  preBlock
} from '../../../src/report/escape.js'

describe('escapeHtml', () => {
  test.each([
    ['<script>alert("x")</script>', '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'],
    ["it's & more", 'it&#39;s &amp; more'],
    // Already-escaped text is escaped again: the input is data, never markup.
    ['&amp;', '&amp;amp;'],
    ['a | b `c`', 'a | b `c`'],
    ['🚀 déployé', '🚀 déployé'],
    ['', '']
  ])('%j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected)
  })
})

describe('escapeTableCell', () => {
  test.each([
    // A pipe would end the cell; GFM splits rows before decoding entities.
    ['a | b', 'a &#124; b'],
    // Newlines would end the row (or a blank line the HTML block).
    ['line 1\nline 2\r\nline 3\rline 4', 'line 1<br>line 2<br>line 3<br>line 4'],
    ['two\n\nparagraphs', 'two<br><br>paragraphs'],
    ['<script>x</script>', '&lt;script&gt;x&lt;/script&gt;'],
    // Backticks, emphasis, links, strike-through and backslashes stay literal.
    ['`rm -rf /`', '&#96;rm -rf /&#96;'],
    ['**bold** _it_ ~~gone~~', '&#42;&#42;bold&#42;&#42; &#95;it&#95; &#126;&#126;gone&#126;&#126;'],
    ['[click](https://e.vil)', '&#91;click&#93;(https://e.vil)'],
    ['C:\\path', 'C:&#92;path'],
    ['✅ emoji 👩‍👩‍👧 stay', '✅ emoji 👩‍👩‍👧 stay']
  ])('%j', (input, expected) => {
    expect(escapeTableCell(input)).toBe(expected)
  })

  test('a very long hostile string stays one cell', () => {
    const out = escapeTableCell('|\n`<'.repeat(50_000))
    // Booleans, not toMatch: a failure must not print a 1 MB string.
    expect(/[|\n`<]/.test(out.replace(/<br>/g, ''))).toBe(false)
    expect(out.length).toBe(50_000 * '&#124;<br>&#96;&lt;'.length)
  })
})

describe('escapeMarkdown', () => {
  test('keeps newlines (for callers that handle them) and escapes the rest', () => {
    expect(escapeMarkdown('# not a heading\n*x*')).toBe('# not a heading\n&#42;x&#42;')
  })
})

describe('escapeMrkdwn (Slack)', () => {
  test.each([
    ['<!channel> ping', '&lt;!channel&gt; ping'],
    ['a & b > c', 'a &amp; b &gt; c'],
    ['<https://e.vil|click>', '&lt;https://e.vil|click&gt;'],
    // Quotes and apostrophes are not special in mrkdwn.
    [`"it's"`, `"it's"`]
  ])('%j', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected)
  })
})

describe('fence', () => {
  test.each([
    ['plain', '```\nplain\n```'],
    ['has ``` inside', '````\nhas ``` inside\n````'],
    ['five ````` ticks and ` one', '``````\nfive ````` ticks and ` one\n``````']
  ])('%j', (input, expected) => {
    expect(fence(input)).toBe(expected)
  })

  test('takes a language', () => {
    expect(fence('a: 1', 'yaml')).toBe('```yaml\na: 1\n```')
  })
})

describe('preBlock', () => {
  test('escapes HTML so a log cannot close the block or open a tag', () => {
    expect(preBlock(['</pre><script>x()</script>', '', '```'])).toBe(
      '<pre>\n&lt;/pre&gt;&lt;script&gt;x()&lt;/script&gt;\n\n```\n</pre>'
    )
  })
})

describe('oneLine and clip', () => {
  test('oneLine marks line breaks', () => {
    expect(oneLine('  first\n\n  second\r\nthird ')).toBe('first ⏎ second ⏎ third')
  })

  test.each([
    ['short', 10, 'short'],
    ['exactly ten', 11, 'exactly ten'],
    ['a longer text', 8, 'a longe…'],
    // Never half an emoji (a surrogate pair).
    ['ab🚀cd', 4, 'ab…'],
    ['ab🚀cd', 5, 'ab🚀…']
  ])('clip(%j, %i)', (input, max, expected) => {
    expect(clip(input, max)).toBe(expected)
  })
})

describe('budget helpers', () => {
  test('utf8Bytes counts UTF-8 bytes, not UTF-16 units', () => {
    expect(utf8Bytes('abc')).toBe(3)
    expect(utf8Bytes('é')).toBe(2)
    expect(utf8Bytes('✅')).toBe(3)
    expect(utf8Bytes('🚀')).toBe(4)
  })

  test('fitChars cuts at a line break and ends with the note, within the limit', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n')
    const fitted = fitChars(text, 120, 'CUT')
    expect(fitted.length).toBeLessThanOrEqual(120)
    expect(fitted.endsWith('\n\nCUT')).toBe(true)
    expect(fitted).toMatch(/^line 0\n/)
    expect(fitChars('short', 120, 'CUT')).toBe('short')
  })
})
