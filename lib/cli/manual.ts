import {roffText} from '../ocf/manpage';
import {COMMANDS} from './commands';

// hacloud(8): the command line, from the same table as `hacloud --help`.
export function renderCommandManPage({version, date, agents}: {version: string; date: string; agents: readonly string[]}): string {
  const out = [
    `.TH HACLOUD 8 "${date}" "hacloud ${roffText(version)}" "System Administration"`,
    '.SH NAME',
    'hacloud \\- Pacemaker resource agents for a highly available OpenStack controller',
    '.SH SYNOPSIS',
    '.B hacloud',
    '.I command',
    '[\\fIoptions\\fR]',
    '.SH DESCRIPTION',
    'One executable serves every hacloud OCF resource agent. Invoked through a link under /usr/lib/ocf/resource.d/hacloud it is that agent; invoked as \\fBhacloud\\fR it is this command line. \\fBhacloud \\-\\-help\\fR and \\fBhacloud \\fIcommand\\fB \\-\\-help\\fR describe the options.',
    '.SH COMMANDS',
  ];
  for (const command of Object.values(COMMANDS)) {
    out.push('.TP', `.B ${roffText(command.usage).replace(/-/g, '\\-')}`, roffText(`${command.summary}. ${command.details}`));
  }
  out.push(
    '.SH AGENTS',
    roffText(agents.join(', ')),
    '.SH FILES',
    '.TP', '.I /usr/lib/hacloud/hacloud', 'The executable.',
    '.TP', '.I /usr/lib/ocf/resource.d/hacloud/', 'One link per agent.',
    '.TP', '.I /usr/share/doc/hacloud/examples/', 'Example configurations (crmsh and pcs).',
    '.SH EXIT STATUS',
    '0 on success; for \\fBrun\\fR the agent\'s OCF code; for \\fBdoctor\\fR 1 when a check failed; 2 on a usage error or a bad description.',
    '.SH SEE ALSO',
    `${agents.map((a) => `\\fBocf_hacloud_${a.replace(/-/g, '\\-')}\\fR(7)`).join(', ')}, \\fBcrm\\fR(8), \\fBpcs\\fR(8)`,
  );
  return `${out.join('\n')}\n`;
}
