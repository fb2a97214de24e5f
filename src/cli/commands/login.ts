/**
 * `vmarket login --url U --token T`: checks the token against the server and stores URL, token
 * and publisher in the credentials file (mode 0600) that every other command reads.
 */
import type { Command } from 'commander';
import { ApiClient, normalizeBaseUrl } from '../client.ts';
import { publisherIdOf } from '../common.ts';
import { print, printJson } from '../output.ts';

export function registerLoginCommand(program: Command): void {
  program
    .command('login')
    .description('check a server URL and token and store them in the credentials file for later commands')
    .requiredOption('--url <url>', 'the server, e.g. https://vmarket.example.com')
    .requiredOption('--token <token>', 'your publisher token (or the operator token)')
    .option('--json', 'print {url, publisher, credentialsFile} as one JSON document')
    .action(async (flags: { url: string; token: string; json?: boolean }) => {
      const { credentialsPath, writeCredentials } = await import('../../app/credentials.ts');
      const url = normalizeBaseUrl(flags.url);
      const client = new ApiClient({ url, token: flags.token });
      const me = (await client.get<Record<string, unknown>>('/me')).body;
      const publisher = publisherIdOf(me);
      const operator = !publisher || me?.role === 'operator' || me?.operator === true;
      writeCredentials({ url, token: flags.token, publisher: publisher ?? '', ...(operator ? { operatorToken: flags.token } : {}) });
      const file = credentialsPath(process.env);
      if (flags.json) printJson({ url, publisher: publisher ?? null, operator, credentialsFile: file });
      else print(`logged in to ${url} as ${publisher ? `publisher ${publisher}` : 'the operator'}; credentials saved in ${file}`);
    });
}
