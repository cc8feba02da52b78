// PHP's strip_tags() as Coolify applies it to service and project names and descriptions
// (app/Traits/HasSafeStringAttribute.php@379abb25; Service.php:46, Project.php:25 use it) and
// to tag names (TagsController.php:25-28@379abb25). Follows php_strip_tags_ex
// (ext/standard/string.c): `<` followed by whitespace is text; otherwise everything up to the
// matching `>` goes (quotes inside a tag hide `>`), and an unclosed tag eats the rest.
export function stripTags(input: string): string {
  let out = '';
  let inTag = false;
  let depth = 0;
  let quote = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (!inTag) {
      if (c === '<' && !/\s/.test(input[i + 1] ?? '')) inTag = true;
      else out += c;
      continue;
    }
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '<') depth++;
    else if (c === '>') {
      if (depth > 0) depth--;
      else inTag = false;
    }
  }
  return out;
}
