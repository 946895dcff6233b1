import {parseDefaultsFile} from '../../../../lib/clients/mysql-defaults-file';

describe('parseDefaultsFile', () => {
  test('reads user, password and socket from [client]', () => {
    const text = ['[client]', 'user=monitor', 'password=secret', 'socket=/run/mysqld/mysqld.sock'].join('\n');
    expect(parseDefaultsFile(text)).toEqual({user: 'monitor', password: 'secret', socket: '/run/mysqld/mysqld.sock', ignored: []});
  });

  test('comment lines, end-of-line comments, spaces around = and CRLF', () => {
    const text = '# a comment\r\n; another\r\n[client]\r\n  user  =  monitor   # the monitor user\r\npassword= pw#rest\r\n';
    expect(parseDefaultsFile(text)).toMatchObject({user: 'monitor', password: 'pw'});
  });

  test('quotes keep # and spaces; one pair of matching quotes is removed', () => {
    expect(parseDefaultsFile("[client]\npassword = \"a # b \" # comment\nuser='it''s'").password).toBe('a # b ');
    expect(parseDefaultsFile("[client]\npassword='x # y'").password).toBe('x # y');
    expect(parseDefaultsFile('[client]\npassword="unbalanced').password).toBe('"unbalanced');
    expect(parseDefaultsFile('[client]\npassword=\'"').password).toBe('\'"');
  });

  test('escape sequences as libmysql reads them; unknown escapes keep the backslash', () => {
    expect(parseDefaultsFile('[client]\npassword=a\\sb\\tc\\\\d\\"e\\qf').password).toBe('a b\tc\\d"e\\qf');
  });

  test('only the client groups count; the last setting in the file wins', () => {
    const text = [
      '[mysqld]',
      'user=mysql',
      '[client]',
      'user=first',
      'password=one',
      '[mysqldump]',
      'user=dumper',
      '[mariadb-client]',
      'user=second',
      '[ mysql ]',
      'password=two',
    ].join('\n');
    expect(parseDefaultsFile(text)).toMatchObject({user: 'second', password: 'two'});
  });

  test('group names ignore case; option names take - or _ and a loose- prefix', () => {
    expect(parseDefaultsFile('[CLIENT]\nLOOSE-USER=m\nPass_word=no\npassword=p')).toMatchObject({user: 'm', password: 'p'});
  });

  test('a bare password line means "prompt": no usable password', () => {
    expect(parseDefaultsFile('[client]\nuser=m\npassword=p\npassword').password).toBeUndefined();
  });

  test('!include lines are reported, not followed; options before any group are ignored', () => {
    const text = 'user=outside\n!includedir /etc/mysql/conf.d/\n[client]\n!include /root/other.cnf\nuser=m';
    expect(parseDefaultsFile(text)).toEqual({user: 'm', ignored: ['line 2: !includedir', 'line 4: !include']});
  });

  test('empty values stay empty, unknown options are skipped', () => {
    expect(parseDefaultsFile('[client]\nuser=m\npassword=\nhost=localhost\nport=3306\ncompress')).toEqual({
      user: 'm',
      password: '',
      host: 'localhost',
      port: '3306',
      ignored: [],
    });
  });
});
